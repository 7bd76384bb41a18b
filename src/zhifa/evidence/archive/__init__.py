"""The case-file archive (案卷): one package per closed case, and its offline verifier.

- ``build``: the services ``archive_create`` (archive number, the case's ``archive`` action,
  the package, the ledger entry and checkpoint) and ``archive_package`` (download);
- ``verify``: checks a package with nothing but the package (no Django, no database):
  ``python -m zhifa.evidence.archive.verify PACKAGE`` or ``zhifa archive verify PACKAGE``;
- ``contributors``: what apps above evidence add to a case file (the documents app: the
  issued enforcement documents' PDFs), registered from their ``AppConfig.ready``;
- ``layout`` and ``zipform``: the member names, JSON encodings and the canonical ZIP form
  that the writer produces and the verifier demands, byte for byte.

This package's ``__init__`` imports nothing, so that the verifier runs without Django.
"""
