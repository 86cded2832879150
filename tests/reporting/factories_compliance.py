"""A small hand-made world for the compliance figures: three States Parties with known entries into
force, a signatory, and a State whose entry into force is not known; reports received on chosen
days through `services.report_record_received` (the only way to set a past date of receipt)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from secretariat.reporting.services import report_record_received
from secretariat.states.models import State
from tests import factories

AS_OF = dt.date(2021, 3, 1)

NIL_PUBLIC = {"exports": {"is_nil": True, "visibility": "public"}, "imports": {"is_nil": True, "visibility": "public"}}
RESTRICTED = {"exports": {"visibility": "restricted"}, "imports": {"visibility": "restricted"}}
PUBLIC = {"exports": {"visibility": "public"}, "imports": {"visibility": "public"}}
PARTLY = {"exports": {"visibility": "public"}, "imports": {"visibility": "restricted"}}
ONE_NIL_PARTLY = {"exports": {"is_nil": True, "visibility": "public"}, "imports": {"visibility": "restricted"}}


@dataclass
class World:
    african_early: State  # EIF 24 Dec 2014, African States
    african_late: State  # EIF 14 Apr 2016, African States
    western: State  # EIF 24 Dec 2014, Western European and other States
    signatory: State
    unknown_eif: State
    officer: object

    @property
    def states(self):
        return State.objects.filter(iso3__in=["XQA", "XQB", "XQC", "XQD", "XQE"])


def record(state, kind, year, received_on, officer, forms=None, **options):
    return report_record_received(
        state=state, kind=kind, year=year, received_on=received_on, recorded_by=officer, forms=forms, **options
    )


def compliance_world() -> World:
    """The data set of the compliance tests; the expected figures on AS_OF are in the tests."""
    officer = factories.UserFactory(email="compliance.officer@example.org")
    african_early = factories.StateFactory(iso3="XQA", region="african", deposit_date=dt.date(2014, 6, 3))
    african_late = factories.StateFactory(iso3="XQB", region="african", deposit_date=dt.date(2016, 1, 15))
    western = factories.StateFactory(iso3="XQC", region="western_european_others", deposit_date=dt.date(2014, 9, 1))
    signatory = factories.StateFactory(iso3="XQD", region="african", signature_date=dt.date(2013, 9, 25))
    unknown_eif = factories.StateFactory(iso3="XQE", region="asia_pacific", deposit_date_partial="2015")
    assert african_late.entry_into_force == dt.date(2016, 4, 14)

    # XQA: initial on time; 2015 nil (on the due day); 2016 in grace, restricted; 2017 late, partly
    # public, commercial information withheld; 2018 missing; 2019 on time, amended later to public
    # with security information withheld; 2020 received early; a report on 2014 (no obligation).
    record(african_early, "initial", None, dt.date(2015, 12, 20), officer)
    record(african_early, "annual", 2014, dt.date(2015, 5, 1), officer, PUBLIC)
    record(african_early, "annual", 2015, dt.date(2016, 5, 31), officer, NIL_PUBLIC)
    record(african_early, "annual", 2016, dt.date(2017, 6, 5), officer, RESTRICTED)
    record(african_early, "annual", 2017, dt.date(2018, 7, 1), officer, PARTLY, withheld_commercial=True)
    record(african_early, "annual", 2019, dt.date(2020, 5, 1), officer, RESTRICTED)
    record(
        african_early,
        "annual",
        2019,
        dt.date(2020, 8, 1),
        officer,
        PUBLIC,
        withheld_security=True,
        amendment_reason="Forms made public",
    )
    record(
        african_early,
        "annual",
        2020,
        dt.date(2021, 2, 1),
        officer,
        RESTRICTED,
        withheld_commercial=True,
        withheld_security=True,
    )
    # XQB: initial in grace (the last day of it); 2017 on time with one nil form; 2019 received
    # after AS_OF.
    record(african_late, "initial", None, dt.date(2017, 4, 20), officer)
    record(african_late, "annual", 2017, dt.date(2018, 5, 30), officer, ONE_NIL_PARTLY)
    record(african_late, "annual", 2019, dt.date(2021, 6, 1), officer, PUBLIC)
    # XQC: no initial report; 2015 in grace, forms not recorded; 2016 late and public; a draft on
    # 2017 (never counted).
    record(western, "annual", 2015, dt.date(2016, 6, 3), officer)
    record(western, "annual", 2016, dt.date(2018, 1, 1), officer, PUBLIC)
    factories.annual_draft(state=western, year=2017, by=officer, partner=african_early)
    return World(african_early, african_late, western, signatory, unknown_eif, officer)
