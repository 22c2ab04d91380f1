"""Entry point for `pulumi up`: the program lives in components/engine/program.py."""

import pulumi

from components.engine.program import main

for name, value in main().items():
    pulumi.export(name, value)
