"""National control lists (Art. 5(4)): each State Party provides its list to the Secretariat, which
makes it available to the other States Parties; States are encouraged to make it public.

A State's lists are versions: the current one is the latest by the list's own date. Each version
has one file per language and is either public or for States Parties only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from secretariat.core.files import file_extension


class ListVisibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PARTIES = "parties", _("States Parties only")


class ListLanguage(models.TextChoices):
    """The six UN languages, and "other" for a list in a national language."""

    ARABIC = "ar", _("Arabic")
    CHINESE = "zh", _("Chinese")
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    RUSSIAN = "ru", _("Russian")
    SPANISH = "es", _("Spanish")
    OTHER = "other", _("Other language")


class ControlList(models.Model):
    state = models.ForeignKey(
        "states.State", on_delete=models.PROTECT, related_name="control_lists", verbose_name=_("State")
    )
    list_date = models.DateField(_("date of the list"))
    received_on = models.DateField(_("received on"))
    link = models.URLField(_("link to the list"), blank=True, max_length=500)
    visibility = models.CharField(
        _("who may see it"), max_length=8, choices=ListVisibility.choices, default=ListVisibility.PARTIES
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("national control list")
        verbose_name_plural = _("national control lists")
        ordering = ["state__name_en", "-list_date"]
        constraints = [
            models.UniqueConstraint(fields=["state", "list_date"], name="controllists_one_per_date"),
            models.CheckConstraint(
                name="controllists_visibility_known", condition=Q(visibility__in=ListVisibility.values)
            ),
            models.CheckConstraint(
                name="controllists_received_after_dated", condition=Q(received_on__gte=models.F("list_date"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state.iso3} {self.list_date.isoformat()}"


def list_file_path(instance: ControlListFile, filename: str) -> str:
    control_list = instance.control_list
    suffix = file_extension(filename, "bin")
    return f"control-lists/{control_list.state.iso3}/{control_list.list_date.isoformat()}-{instance.language}.{suffix}"


class ControlListFile(models.Model):
    control_list = models.ForeignKey(
        ControlList, on_delete=models.CASCADE, related_name="files", verbose_name=_("control list")
    )
    language = models.CharField(_("language"), max_length=5, choices=ListLanguage.choices)
    file = models.FileField(_("file"), upload_to=list_file_path, max_length=300)
    original_name = models.CharField(_("file name as sent"), max_length=255)
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        verbose_name = _("control list file")
        verbose_name_plural = _("control list files")
        ordering = ["control_list", "language"]
        constraints = [
            models.UniqueConstraint(fields=["control_list", "language"], name="controllists_one_file_per_language"),
            models.CheckConstraint(name="controllists_language_known", condition=Q(language__in=ListLanguage.values)),
        ]

    def __str__(self) -> str:
        return f"{self.control_list} ({self.language})"
