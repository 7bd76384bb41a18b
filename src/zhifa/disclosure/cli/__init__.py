"""Verbs of ``zhifa disclosure …`` (see ``management/commands/disclosure.py``)."""
