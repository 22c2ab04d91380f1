"""The Java properties writer: a `.properties` file as java.util.Properties.load reads it back.

A leaf: it imports nothing from the package. Kafka's server.properties (kafka/properties.py, in sections)
and the client settings the security objects ship (security/manifests.py) are both written with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def _escape(text: str, key: bool) -> str:
    """java.util.Properties escaping (Kafka loads the file with Properties.load, as ISO 8859-1).

    What the loader would misread is escaped: backslashes, control characters, anything outside ASCII,
    a value's leading space, and in keys the separators and comment marks. `=` and `:` inside a value
    are read literally, so values stay readable (`PLAINTEXT://host:9092`)."""
    out = []
    for index, char in enumerate(text):
        if char == "\\":
            out.append("\\\\")
        elif char in "\t\n\r\f":
            out.append({"\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f"}[char])
        elif (key and char in "=: #!") or (not key and char == " " and index == 0):
            out.append("\\" + char)
        elif ord(char) > 0x7E or ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def _line(key: str, value: str) -> str:
    return f"{_escape(key, True)}={_escape(value, False)}"


def properties_text(props: Mapping[str, str], header: list[str]) -> str:
    """`props` as a properties file, after `header` as comment lines."""
    lines = [f"# {line}" for line in header] + [_line(k, v) for k, v in props.items()]
    return "\n".join(lines) + "\n"


def sectioned_properties_text(sections: Sequence[tuple[str, Mapping[str, str]]], header: list[str]) -> str:
    """A properties file in sections: `header` as comment lines, then each (heading, props) in the order
    given, after a blank line and a `# --- heading ---` comment; a section without props is left out.

    Every key has one owner: a key in two sections is refused (ValueError naming both headings)."""
    lines = [f"# {line}" for line in header]
    owners: dict[str, str] = {}
    for heading, props in sections:
        if "\n" in heading or "\r" in heading:
            raise ValueError(f"section heading {heading!r}: one line only")
        for key in props:
            if key in owners:
                raise ValueError(f"{key} is in two sections: '{owners[key]}' and '{heading}'")
            owners[key] = heading
        if props:
            lines += ["", f"# --- {heading} ---"] + [_line(k, v) for k, v in props.items()]
    return "\n".join(lines) + "\n"
