"""The demo province as data: plain Python constants, read by ``zhifa.demo.loader``.

Everything here is fictional except the names and codes of the administrative divisions
(GB/T 2260) and the laws and articles cited, which are real. Article texts are quoted only
where the wording is certain; otherwise a faithful summary is stored, prefixed with
``SUMMARY_PREFIX`` so nobody mistakes it for the official text.
"""

import datetime as dt

# Fixed seed and reference dates: the data set is the same on every run and every machine.
# Only the certificates' dates are counted back from the day of loading (``loader.people``),
# so that none lies in the future and the valid ones stay valid.
SEED = "zhifa-demo-province-2026"
# Catalogue entries (power lists, benchmarks, review catalogues) take effect on this date.
CATALOGUE_EFFECTIVE = dt.date(2024, 1, 1)
SUMMARY_PREFIX = "【摘要】"
