"""Admin of the evidence app: one module per part, each saving through the services."""

from . import admin_av, admin_coverage, admin_custody  # noqa: F401
