"""The fuzzer runs through `make fuzz` (python -m tests.fuzz), never as part of `pytest tests`."""
collect_ignore_glob = ["*"]
