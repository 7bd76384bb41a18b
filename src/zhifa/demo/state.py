"""Whether this installation holds the demo province (the UI then shows a demo banner)."""

from zhifa.orgs.models import EnforcementBody


def is_demo_loaded() -> bool:
    return EnforcementBody.objects.filter(is_demo=True).exists()
