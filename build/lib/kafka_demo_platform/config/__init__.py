"""Configuration: every key stated once (keys.py), checked (checks.py, schema.py) and turned into typed
settings (settings.py); the project's stack files read the way the CLI reads them (stack_files.py)."""
