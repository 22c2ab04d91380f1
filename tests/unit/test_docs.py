"""The README is a front door to docs/: short, every page in its map, and no link in the README, docs/,
CONTRIBUTING or CHANGELOG points at a file or a heading that does not exist."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from components.config.stack_files import ROOT

README = ROOT / "README.md"
PAGES = sorted([README, ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").glob("*.md")])
LINK = re.compile(r"(?<!!)\[[^\]]+\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)  # a `# comment` in a fence is no heading
    return {_slug(line.lstrip("#")) for line in text.splitlines() if re.match(r"#{1,6} ", line)}


def test_every_link_points_at_a_file_and_heading_that_exist():
    broken = []
    for page in PAGES:
        text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
        for match in LINK.finditer(text):
            target = match.group(1) or match.group(2)
            if re.match(r"[a-z]+:", target):
                continue  # an absolute URL: not checked offline
            path, _, anchor = target.partition("#")
            resolved = (page.parent / path).resolve() if path else page
            if not resolved.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_the_readme_is_a_front_door_with_a_map_of_every_page():
    text = README.read_text()
    assert len(text.splitlines()) <= 200, "the README stays short: reference and guides go in docs/"
    for page in (ROOT / "docs").glob("*.md"):
        assert f"(docs/{page.name})" in text, f"docs/{page.name} is missing from the README's map"
    for command in ("scripts/up.sh", "scripts/test.sh", "scripts/verify.sh"):
        assert command in text


def test_no_page_holds_an_unfilled_placeholder():
    for page in PAGES:
        text = re.sub(r"```.*?```|`[^`]*`", "", page.read_text(), flags=re.S)
        assert not re.findall(r"\{[A-Z][A-Z_]+\}", text), page.relative_to(ROOT)


def _fenced_shell_lines() -> list[tuple[str, str]]:
    lines = []
    for page in PAGES:
        for block in re.findall(r"```(?:bash|sh)\n(.*?)```", page.read_text(), flags=re.S):
            lines += [(str(page.relative_to(ROOT)), line.split("  #", 1)[0].strip()) for line in block.splitlines()]
    return [(page, line) for page, line in lines if line and not line.startswith("#")]


def test_every_script_a_fenced_command_names_exists():
    """The commands that need a cluster or a long run cannot run here; the scripts they name must exist."""
    missing = []
    for page, line in _fenced_shell_lines():
        for script in re.findall(r"(?:^|[\s\"(])((?:scripts|tools)/[\w./-]+\.sh)", line):
            path = ROOT / script
            if not (path.is_file() and path.stat().st_mode & 0o111):
                missing.append(f"{page}: {script} (in `{line}`)")
    assert not missing, "\n".join(missing)


def test_the_render_commands_in_the_docs_run_as_written(tmp_path):
    """Every fenced `render.py` command, in a copy of the project (render writes rendered/<stack> beside
    Pulumi.yaml); an `--out` outside the project is pointed into the test's own directory."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("render.py", "Pulumi.yaml", *(p.name for p in ROOT.glob("Pulumi.*.yaml"))):
        shutil.copy2(ROOT / name, project / name)
    shutil.copytree(ROOT / "components", project / "components", ignore=shutil.ignore_patterns("__pycache__"))
    commands = [line for _, line in _fenced_shell_lines() if line.startswith(".venv/bin/python render.py")]
    assert len(commands) >= 2, "the docs show rendering without a cluster"
    for command in commands:
        args = shlex.split(command)[1:]
        args = [str(tmp_path / "out" / a.lstrip("/")) if a.startswith("/tmp/") else a for a in args]
        result = subprocess.run([sys.executable, *args], cwd=project, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{command}:\n{result.stderr[-2000:]}"
        assert "stack outputs:" in result.stdout
    assert list((project / "rendered" / "dev").glob("*.yaml")), "render.py --stack dev writes rendered/dev"
