"""Every write about accounts: invitations, role grants and revocations, two-factor devices, demo data.

Role changes keep `User.is_staff` equal to "holds a staff role" (Django's admin reads it), and
record who made them in the history (simple-history reads `_history_user`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from secretariat.core.access import forget_principal
from secretariat.core.emails import email_send_on_commit
from secretariat.core.roles import STAFF_ROLES, Role
from secretariat.states.models import State

from .models import Donor, RoleAssignment, User

INVITATION_TEMPLATE = "accounts/emails/invitation"
RESET_EMAIL_TEMPLATE = "accounts/emails/password_reset"
ENROLMENT_DEVICE_NAME = "Authenticator app"


# ---------------------------------------------------------------------------- links and emails


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def password_link(*, user: User, url_name: str) -> str:
    """An absolute link carrying a one-time token for `user` (invitation or password reset).

    The token (Django's default_token_generator) stops working once the password changes,
    after PASSWORD_RESET_TIMEOUT, or after the user signs in.
    """
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return _absolute(reverse(url_name, kwargs={"uidb64": uidb64, "token": token}))


def invitation_send(*, user: User, invited_by: User) -> None:
    """Email `user` a link to choose a password, in their preferred language (sent on commit)."""
    email_send_on_commit(
        template=INVITATION_TEMPLATE,
        to=[user.email],
        context={
            "user": user,
            "invited_by": invited_by,
            "link": password_link(user=user, url_name="accounts:invitation_accept"),
            "roles": [str(assignment) for assignment in user.role_assignments.select_related("state", "donor")],
            "valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
            "site_url": settings.SITE_URL,
        },
        language=user.preferred_language,
    )


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Email a reset link to the active account with this address, if there is one.

    Unknown addresses, deactivated accounts, accounts still waiting for their invitation
    and demo accounts get nothing, and the caller shows the same page either way.
    """
    user = User.objects.filter(email__iexact=email.strip(), is_active=True, is_demo=False).order_by("pk").first()
    if user is None or not user.has_usable_password():
        return
    password_reset_send(user=user)


def password_reset_send(*, user: User) -> None:
    """Email `user` a link to choose a new password, in their preferred language (sent on commit)."""
    email_send_on_commit(
        template=RESET_EMAIL_TEMPLATE,
        to=[user.email],
        context={
            "user": user,
            "link": password_link(user=user, url_name="accounts:password_reset_confirm"),
            "valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
            "site_url": settings.SITE_URL,
        },
        language=user.preferred_language,
    )


# ---------------------------------------------------------------------------- users


@transaction.atomic
def user_invite(
    *,
    email: str,
    full_name: str,
    language: str,
    role: str,
    state: State | None = None,
    donor: Donor | None = None,
    invited_by: User,
) -> User:
    """Create an account with no usable password and its first role, and email the invitation.

    The invitee chooses a password through the emailed link (accounts:invitation_accept).
    """
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("A user with this email address already exists."))
    user = User(email=email, full_name=full_name.strip(), preferred_language=language)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user._history_user = invited_by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same address invited at the same moment
        raise ValidationError(_("A user with this email address already exists.")) from exc
    role_grant(user=user, role=role, state=state, donor=donor, granted_by=invited_by)
    invitation_send(user=user, invited_by=invited_by)
    return user


@transaction.atomic
def invitation_resend(*, user: User, invited_by: User) -> None:
    """Send the invitation again, to a user who has not chosen a password yet."""
    if user.has_usable_password():
        raise ValidationError(_("This user has already accepted the invitation."))
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."))
    invitation_send(user=user, invited_by=invited_by)


@transaction.atomic
def user_deactivate(*, user: User, deactivated_by: User) -> None:
    """Close an account. Its sessions stop working at once (inactive users are never loaded)."""
    if user.pk == deactivated_by.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.is_active:
        return
    locked.is_active = False
    locked._history_user = deactivated_by  # type: ignore[attr-defined]
    locked.save(update_fields=["is_active"])
    user.is_active = False
    forget_principal(user)


@transaction.atomic
def user_reactivate(*, user: User, reactivated_by: User) -> None:
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active:
        return
    locked.is_active = True
    locked._history_user = reactivated_by  # type: ignore[attr-defined]
    locked.save(update_fields=["is_active"])
    user.is_active = True
    forget_principal(user)


@transaction.atomic
def user_language_set(*, user: User, language: str) -> None:
    """The language of the emails the user receives (and of the interface once they choose it)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose one of the platform's languages."))
    if user.preferred_language == language:
        return
    user.preferred_language = language
    user._history_user = user  # type: ignore[attr-defined]
    user.save(update_fields=["preferred_language"])


# ---------------------------------------------------------------------------- roles


def _staff_flag_sync(*, user: User, actor: User | None) -> None:
    """Keep is_staff equal to "holds a staff role" (Django's admin site reads it); superusers stay staff."""
    should_be_staff = user.is_superuser or user.role_assignments.filter(role__in=STAFF_ROLES).exists()
    if user.is_staff != should_be_staff:
        user.is_staff = should_be_staff
        user._history_user = actor  # type: ignore[attr-defined]
        user.save(update_fields=["is_staff"])


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: str,
    state: State | None = None,
    donor: Donor | None = None,
    granted_by: User | None,
) -> RoleAssignment:
    """Give `user` the `role` (scoped to `state` or `donor` where the role needs it).

    Raises ValidationError for a scope that does not fit the role or a role already held.
    `granted_by` is None only for the platform's own scripts (demo data).
    """
    problem = RoleAssignment.scope_problem(role, has_state=state is not None, has_donor=donor is not None)
    if problem is not None:
        raise ValidationError(problem[1])
    # Lock the user row: two admins granting the same role at once queue up here, and the
    # second one sees the first one's grant.
    locked = User.objects.select_for_update().get(pk=user.pk)
    duplicate = _("%(user)s already holds this role.") % {"user": locked}
    if RoleAssignment.objects.filter(user=locked, role=role, state=state, donor=donor).exists():
        raise ValidationError(duplicate)
    assignment = RoleAssignment(user=locked, role=role, state=state, donor=donor, granted_by=granted_by)
    assignment._history_user = granted_by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:  # the database constraints have the last word
        raise ValidationError(duplicate) from exc
    _staff_flag_sync(user=locked, actor=granted_by)
    user.is_staff = locked.is_staff
    forget_principal(user)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, revoked_by: User) -> None:
    """Take a role away. An administrator cannot revoke their own administration role."""
    locked = User.objects.select_for_update().get(pk=assignment.user_id)
    current = RoleAssignment.objects.filter(pk=assignment.pk).first()
    if current is None:
        raise ValidationError(_("This role has already been revoked."))
    if current.role == Role.STAFF_ADMIN and current.user_id == revoked_by.pk:
        raise ValidationError(_("You cannot revoke your own administration role; ask another administrator to do it."))
    current._history_user = revoked_by  # type: ignore[attr-defined]
    current.delete()
    _staff_flag_sync(user=locked, actor=revoked_by)
    forget_principal(assignment.user)


# ---------------------------------------------------------------------------- two-factor


@dataclass(frozen=True)
class OtpOutcome:
    device: TOTPDevice | None
    throttled: bool = False

    @property
    def verified(self) -> bool:
        return self.device is not None


@transaction.atomic
def otp_enrolment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device `user` is enrolling (created on first use, then reused)."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    device = TOTPDevice.objects.filter(user_id=locked.pk, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=locked, name=ENROLMENT_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def otp_token_verify(*, user: User, token: str) -> OtpOutcome:
    """Check a TOTP code against `user`'s device; the first success confirms an enrolling device.

    django-otp refuses a code at or before the last accepted time step (so a code works
    once) and throttles failures with an exponential delay per device. The device rows are
    locked so that two requests with the same code cannot both succeed.
    """
    devices = list(TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True).order_by("pk"))
    enrolling = not devices
    if enrolling:
        unconfirmed = TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=False)
        devices = list(unconfirmed.order_by("pk")[:1])
    throttled = False
    for device in devices:
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        if device.verify_token(token):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            return OtpOutcome(device=device)
    return OtpOutcome(device=None, throttled=throttled)


# ---------------------------------------------------------------------------- demo data

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - documented; demo accounts only work while DEBUG is on
DEMO_DOMAIN = "demo.att-platform.org"
DEMO_DONOR_NAME = "Demo donor: Government of Switzerland"


@dataclass(frozen=True)
class DemoAccount:
    local_part: str
    full_name: str
    role: str
    state_iso3: str | None = None
    donor: bool = False

    @property
    def email(self) -> str:
        return f"{self.local_part}@{DEMO_DOMAIN}"


DEMO_ACCOUNTS = [
    DemoAccount("admin", "Demo: Secretariat administrator", Role.STAFF_ADMIN),
    DemoAccount("finance", "Demo: Secretariat finance officer", Role.STAFF_FINANCE),
    DemoAccount("reporting", "Demo: Secretariat reporting officer", Role.STAFF_REPORTING),
    DemoAccount("programmes", "Demo: Secretariat programmes officer", Role.STAFF_PROGRAMMES),
    DemoAccount("meetings", "Demo: Secretariat meetings officer", Role.STAFF_MEETINGS),
    DemoAccount("ghana", "Demo: representative of Ghana", Role.STATE_REPRESENTATIVE, state_iso3="GHA"),
    DemoAccount("mexico", "Demo: representative of Mexico", Role.STATE_REPRESENTATIVE, state_iso3="MEX"),
    DemoAccount("committee", "Demo: Management Committee member", Role.MANAGEMENT_COMMITTEE),
    DemoAccount("vtf", "Demo: VTF Selection Committee member", Role.VTF_COMMITTEE),
    DemoAccount("donor", "Demo: donor representative (Switzerland)", Role.DONOR_REPRESENTATIVE, donor=True),
]


@dataclass
class DemoLogin:
    email: str
    role: str
    scope: str
    created: bool


@dataclass
class DemoDataResult:
    logins: list[DemoLogin]
    skipped: list[str]


@transaction.atomic
def demo_data_load() -> DemoDataResult:
    """Create one demo account per role (is_demo, one shared password); a second run changes nothing.

    State representatives need the State registry (Ghana and Mexico); without it they are skipped.
    """
    result = DemoDataResult(logins=[], skipped=[])
    switzerland = State.objects.filter(iso3="CHE").first()
    donor = Donor.objects.filter(name=DEMO_DONOR_NAME).first()
    if donor is None:
        donor = Donor.objects.create(name=DEMO_DONOR_NAME, state=switzerland)
    for account in DEMO_ACCOUNTS:
        state = None
        if account.state_iso3:
            state = State.objects.filter(iso3=account.state_iso3).first()
            if state is None:
                result.skipped.append(account.email)
                continue
        user, created = _demo_user(account)
        scope_donor = donor if account.donor else None
        if not RoleAssignment.objects.filter(user=user, role=account.role, state=state, donor=scope_donor).exists():
            role_grant(user=user, role=account.role, state=state, donor=scope_donor, granted_by=None)
        scope = state or scope_donor
        result.logins.append(
            DemoLogin(email=user.email, role=account.role, scope=str(scope) if scope else "", created=created)
        )
    return result


def _demo_user(account: DemoAccount) -> tuple[User, bool]:
    user = User.objects.filter(email__iexact=account.email).first()
    created = user is None
    if user is None:
        user = User(email=account.email, full_name=account.full_name, is_demo=True)
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user, created
    # Only touch what differs: re-hashing the same password would change the row every run.
    changed: list[str] = []
    if not user.is_demo:
        user.is_demo = True
        changed.append("is_demo")
    if not user.is_active:
        user.is_active = True
        changed.append("is_active")
    # An unusable password (e.g. reset through the admin) gets the demo password back. A usable
    # one is left alone: verifying it would cost a full password hash per account on every
    # `make run`, and `make run` must start in seconds.
    if not user.has_usable_password():
        user.set_password(DEMO_PASSWORD)
        changed.append("password")
    if changed:
        user.save(update_fields=changed)
    return user, created
