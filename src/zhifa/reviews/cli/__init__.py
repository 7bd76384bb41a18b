"""Verbs of ``zhifa reviews …`` (see ``management/commands/reviews.py``)."""
