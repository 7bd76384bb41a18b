"""Database sessions that treat a malformed session key as no session.

PostgreSQL refuses text with a NUL character, so a forged cookie like ``sessionid=abc\\x00``
would make the session lookup fail with a server error on every page; such a key can never be
one we issued, so it is simply not a session."""

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore


class SessionStore(DbSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        valid = super()._validate_session_key(key)  # type: ignore[misc]
        return bool(valid) and key is not None and key.isalnum()
