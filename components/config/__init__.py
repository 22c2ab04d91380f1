"""Configuration: the shared keys and the config object's shape (keys.py), every role's keys gathered
(objects.py), checked (checks.py, schema.py) and turned into typed
settings (settings.py); the project's stack files read the way the CLI reads them (stack_files.py)."""
