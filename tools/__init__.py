"""Command-line tools; run them as scripts (``python tools/train.py ...``)."""
