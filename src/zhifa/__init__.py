"""Zhifa: the Three Systems of administrative law enforcement."""

__version__ = "0.1.0"
