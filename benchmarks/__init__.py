"""Benchmarks run by ``make bench``. Later issues add their measurements here."""
