"""Publicity for staff: publications, approval, withdrawal, annual reports. STAFF HELPER."""

from ninja import Router

router = Router(tags=["publicity"])
