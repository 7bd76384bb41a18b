"""Rendering of enforcement documents: Chinese amounts and dates (``chinese``), the QR code
(``qr``), the system default templates (``defaults``) and the engine (``engine``: DOCX with
docxtpl, PDF with WeasyPrint). Pure: no database. Import the submodules (the engine loads
WeasyPrint, which takes a second)."""
