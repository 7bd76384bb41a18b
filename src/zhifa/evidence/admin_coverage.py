"""Admin (issue 4) — filled by its owner."""
