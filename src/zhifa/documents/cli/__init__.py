"""Verbs of ``zhifa documents …`` (see ``management/commands/documents.py``)."""
