"""Reads of the reporting module: the rule in force, a State's obligations, the dossier panel."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.core.access import Principal, can_review_reports, can_see_restricted_reports
from secretariat.states.models import TREATY_ENTRY_INTO_FORCE, State
from secretariat.states.selectors import DossierPanel

from .models import DEFAULT_SOURCE, ReportForm, ReportingRule, ReportVersion, VersionStatus, Visibility
from .obligations import ObligationSet, Submissions, not_computable_reason, obligations_for, rule_for


def default_rule() -> ReportingRule:
    """The rule the data migration creates, unsaved: used only when the table is empty (a test
    database flushed by a transactional test)."""
    return ReportingRule(name=str(_("Default rule")), effective_from=TREATY_ENTRY_INTO_FORCE, source=DEFAULT_SOURCE)


def all_rules() -> list[ReportingRule]:
    """Every rule, oldest first (one query; the table holds a handful of rows)."""
    return list(ReportingRule.objects.order_by("effective_from")) or [default_rule()]


def rule_in_force(day: dt.date) -> ReportingRule:
    """The rule with the latest `effective_from` on or before `day` (the first rule before that)."""
    return rule_for(all_rules(), day)  # type: ignore[return-value]


def first_received_dates(*, state: State | None = None) -> dict[tuple[int, str, int | None], dt.date]:
    """The day each report (of `state`, or of every State) was first received, by (state id, kind,
    year). One query.

    The first version received is the one that counts for the deadline; amendments do not
    move it. Drafts are not submissions.
    """
    versions = ReportVersion.objects.exclude(status=VersionStatus.DRAFT)
    if state is not None:
        versions = versions.filter(report__state=state)
    rows = versions.values("report__state_id", "report__kind", "report__year").annotate(first=Min("received_on"))
    return {
        (row["report__state_id"], row["report__kind"], row["report__year"]): row["first"]
        for row in rows
        if row["first"] is not None
    }


def submissions_for(*, state: State) -> Submissions:
    """The day each of the State's reports was first received, by (kind, year). One query."""
    return {(kind, year): day for (_state, kind, year), day in first_received_dates(state=state).items()}


def state_obligations(*, state: State, day: dt.date) -> ObligationSet:
    """The State's obligations up to `day`, with what it submitted. Two queries (the rules and
    the submissions), none when the obligations cannot be computed."""
    if not_computable_reason(state, day):
        return obligations_for(state, [default_rule()], until=day)
    result = obligations_for(state, all_rules(), until=day)
    return ObligationSet(
        state_id=result.state_id,
        until=result.until,
        computable=result.computable,
        reason=result.reason,
        obligations=result.obligations,
        rule=result.rule,
        submissions=submissions_for(state=state),
    )


def obligations_dossier_panel(state: State, principal: Principal) -> DossierPanel | None:
    """Article 13 obligations on the State dossier, as of today (public, like the API)."""
    today = timezone.localdate()
    obligations = state_obligations(state=state, day=today)
    return DossierPanel(
        key="reporting-obligations",
        title=str(_("Reporting obligations (Article 13)")),
        template_name="reporting/_dossier_panel.html",
        context={"obligations": obligations, "rows": obligations.rows(today), "today": today},
    )


# ---------------------------------------------------------------------------- who sees which version and form
#
# The only place these rules are written (views, exports and the API all ask here):
# - a draft: its State's representatives and the reporting staff (core.access.can_see_drafts);
# - a submitted or reviewed version: also only them (it is not yet published);
# - the latest published version of a report: everyone; its earlier versions: its State's
#   representatives and staff ("earlier versions stay readable by those entitled");
# - a form restricted to States Parties: staff and representatives of States Parties
#   (core.access.can_see_restricted_reports), and of course the reporting State's own.


def _beyond_latest_published_q(principal: Principal) -> Q | None:
    """Which versions, besides the latest published ones, `principal` may open (None: all)."""
    own = Q(report__state_id__in=principal.state_ids)
    if principal.needs_otp:  # staff who have not passed the second factor are treated as outsiders
        return own
    if can_review_reports(principal):
        return None
    if principal.is_staff_member:
        return own | ~Q(status=VersionStatus.DRAFT)
    return own


def latest_published_ids() -> Subquery:
    """The pk of each report's latest published version (a subquery, for filters)."""
    newest = (
        ReportVersion.objects.filter(report=OuterRef("report"), status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .values("pk")[:1]
    )
    return ReportVersion.objects.filter(status=VersionStatus.PUBLISHED, pk=Subquery(newest)).values("pk")


def versions_visible_to(principal: Principal) -> QuerySet[ReportVersion]:
    """Every version `principal` may open (see the rules above)."""
    everything = ReportVersion.objects.all()
    beyond = _beyond_latest_published_q(principal)
    if beyond is None:
        return everything
    return everything.filter(beyond | Q(pk__in=latest_published_ids()))


def version_visible_to(principal: Principal, version: ReportVersion) -> bool:
    return versions_visible_to(principal).filter(pk=version.pk).exists()


def forms_visible_in(principal: Principal, version: ReportVersion) -> list[ReportForm]:
    """The forms of a version `principal` may read (the caller has checked the version itself)."""
    forms = list(version.forms.all().order_by("direction"))
    if principal.represents_state(version.report.state_id) or can_see_restricted_reports(principal):
        return forms
    return [form for form in forms if form.visibility == Visibility.PUBLIC]


def published_reports_visible_to(principal: Principal) -> QuerySet[ReportVersion]:
    """The latest published version of every report (what /api/v1/reports/ lists), newest first."""
    return (
        ReportVersion.objects.filter(pk__in=latest_published_ids())
        .select_related("report__state")
        .order_by("-published_at", "-pk")
    )
