"""Template filters of the evidence pages."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def duration_ms(value: int | None) -> str:
    """A recording's length: 83000 -> '1:23', 3723000 -> '1:02:03'."""
    if value is None:
        return ""
    seconds = round(value / 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def short_hash(value: str | None, length: int = 12) -> str:
    """The first characters of a hex digest, for display next to the full one (on hover)."""
    return f"{value[:length]}…" if value else ""


@register.filter
def coordinates(obj: Any) -> str:
    """'28.194100, 112.982300' for a row with latitude/longitude, else ''."""
    lat, lon = getattr(obj, "latitude", None), getattr(obj, "longitude", None)
    if lat is None or lon is None:
        return ""
    return f"{lat}, {lon}"


@register.simple_tag
def av_of(f: Any) -> Any:
    """A file's audio/video record, or None (a reverse one-to-one that may be absent)."""
    return getattr(f, "av", None)
