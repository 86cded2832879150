"""Users (email login), the donors that donor representatives act for, and role grants."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from secretariat.core.roles import DONOR_SCOPED_ROLES, STAFF_ROLES, STATE_SCOPED_ROLES, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_superuser"] = True
        extra["is_staff"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=[("en", "English"), ("fr", "Français"), ("es", "Español"), ("zh-hans", "中文")],
        default="en",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Django's admin checks is_staff; the platform keeps it equal to "holds a staff role".
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_demo = models.BooleanField(
        _("demo account"), default=False, help_text=_("Demo accounts cannot sign in when DEBUG is off.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.lower()

    def role_grants(self) -> Iterable[tuple[str, int | None, int | None]]:
        """(role, state id, donor id) for every role this user holds; used by core.access."""
        return self.role_assignments.values_list("role", "state_id", "donor_id")


class Donor(models.Model):
    """A contributor to the platform's voluntary funds (a State, an organisation, a foundation)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    state = models.ForeignKey(
        "states.State",
        verbose_name=_("State"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donors",
        help_text=_("Set when the donor is a State."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    """One role held by one user, with its scope (a State or a donor) where the role needs one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    state = models.ForeignKey("states.State", verbose_name=_("State"), null=True, blank=True, on_delete=models.PROTECT)
    donor = models.ForeignKey(Donor, verbose_name=_("donor"), null=True, blank=True, on_delete=models.PROTECT)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                name="accounts_role_known",
                condition=Q(role__in=Role.values),
            ),
            models.CheckConstraint(
                name="accounts_role_state_scope",
                condition=(Q(role__in=sorted(STATE_SCOPED_ROLES)) & Q(state__isnull=False))
                | (~Q(role__in=sorted(STATE_SCOPED_ROLES)) & Q(state__isnull=True)),
            ),
            models.CheckConstraint(
                name="accounts_role_donor_scope",
                condition=(Q(role__in=sorted(DONOR_SCOPED_ROLES)) & Q(donor__isnull=False))
                | (~Q(role__in=sorted(DONOR_SCOPED_ROLES)) & Q(donor__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(state__isnull=True, donor__isnull=True),
                name="accounts_role_unique_unscoped",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "state"], condition=Q(state__isnull=False), name="accounts_role_unique_state"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "donor"], condition=Q(donor__isnull=False), name="accounts_role_unique_donor"
            ),
        ]

    def __str__(self) -> str:
        scope = self.state or self.donor
        label = self.get_role_display()
        return f"{label} ({scope})" if scope else str(label)

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @staticmethod
    def scope_problem(role: str, *, has_state: bool, has_donor: bool) -> tuple[str, str] | None:
        """Why `role` cannot be held with this scope, as (field name, message); None when the scope fits.

        The database enforces the same rule (constraints above); this gives the message.
        """
        if role not in Role.values:
            return "role", str(_("Choose a known role."))
        if role in STATE_SCOPED_ROLES and not has_state:
            return "state", str(_("Choose the State this representative acts for."))
        if role not in STATE_SCOPED_ROLES and has_state:
            return "state", str(_("Only State representatives are linked to a State; leave the State empty."))
        if role in DONOR_SCOPED_ROLES and not has_donor:
            return "donor", str(_("Choose the donor this representative acts for."))
        if role not in DONOR_SCOPED_ROLES and has_donor:
            return "donor", str(_("Only donor representatives are linked to a donor; leave the donor empty."))
        return None
