"""Entry point for `pulumi up`: the program lives in components/program.py."""

import pulumi

from components.program import main

for name, value in main().items():
    pulumi.export(name, value)
