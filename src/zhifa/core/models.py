import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Every row has a random public id; URLs and the API use it, never the integer key."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedQuerySet(models.QuerySet):
    def in_force_on(self, day):  # type: ignore[no-untyped-def]
        """Rows whose validity interval [effective_from, effective_to) contains ``day``."""
        return self.filter(effective_from__lte=day).filter(
            models.Q(effective_to__isnull=True) | models.Q(effective_to__gt=day)
        )


class Versioned(models.Model):
    """A catalogue row that has versions: same ``code``, successive ``version`` numbers,
    each in force from ``effective_from`` until the day before ``effective_to``."""

    code = models.CharField(_("code"), max_length=64, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(
        _("effective until (exclusive)"), null=True, blank=True,
        help_text=_("Leave empty while this version is in force."),
    )

    objects = VersionedQuerySet.as_manager()

    class Meta:
        abstract = True

    def in_force_on(self, day) -> bool:  # type: ignore[no-untyped-def]
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)
