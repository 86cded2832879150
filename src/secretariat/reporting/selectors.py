"""Reads of the reporting module: the rule in force, a State's obligations, the dossier panel."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.core.access import Principal
from secretariat.states.models import TREATY_ENTRY_INTO_FORCE, State
from secretariat.states.selectors import DossierPanel

from .models import DEFAULT_SOURCE, ReportingRule, ReportVersion, VersionStatus
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


def submissions_for(*, state: State) -> Submissions:
    """The day each of the State's reports was first received, by (kind, year). One query.

    The first version received is the one that counts for the deadline; amendments do not
    move it. Drafts are not submissions.
    """
    rows = (
        ReportVersion.objects.filter(report__state=state)
        .exclude(status=VersionStatus.DRAFT)
        .values("report__kind", "report__year")
        .annotate(first=Min("received_on"))
    )
    return {(row["report__kind"], row["report__year"]): row["first"] for row in rows}


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
