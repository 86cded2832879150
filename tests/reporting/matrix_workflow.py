"""Access-matrix entries of the reporting workflow pages (merged by tests/test_access_matrix.py).

PAGES: route (as Django prints the pattern) -> (url builder taking the matrix Targets, expected
status per persona); WRITES: name -> Write(...). Import the helpers from tests.reporting.matrix_common.

Who sees what (selectors.versions_visible_to): t.draft_a (a draft of Ghana) is seen by Ghana's
representatives and the reporting staff (admin and reporting) only; t.version (submitted, not
published) by Ghana's representatives and every staff member; anyone else gets 404, so that the
existence of a draft or an unpublished version is not revealed. Those who see a version but may
not act on it get 403.
"""

from django.core.files.base import ContentFile

from secretariat.reporting import services
from secretariat.reporting.models import VersionAttachment
from tests.reporting.factories_workflow import edit_payload, row
from tests.reporting.matrix_common import (
    DENIED,
    EVERYONE,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    PDF,
    Write,
    expect,
)

REVIEWERS = ["staff_admin", "staff_reporting"]
# A draft of State A: its representatives and the reporting staff see it, only the former edit it.
DRAFT_A_READERS = expect(
    anonymous=NOT_FOUND, non_staff=NOT_FOUND, staff=NOT_FOUND, state_a_rep=OK, staff_admin=OK, staff_reporting=OK
)
DRAFT_A_EDITORS = expect(
    anonymous=LOGIN, non_staff=NOT_FOUND, staff=NOT_FOUND, state_a_rep=OK, staff_admin=DENIED, staff_reporting=DENIED
)
# State A's submitted version: every staff member sees it, only State A's representatives answer.
VERSION_READERS = expect(anonymous=NOT_FOUND, non_staff=NOT_FOUND, staff=OK, state_a_rep=OK)
VERSION_ANSWERERS = expect(anonymous=LOGIN, non_staff=NOT_FOUND, staff=DENIED, state_a_rep=OK)
# POST-only actions: a GET is refused once the access policy has let the user in.
SIGNED_IN_POST_ONLY = expect(anonymous=LOGIN, non_staff=NOT_ALLOWED, staff=NOT_ALLOWED)
REVIEWERS_POST_ONLY = expect(
    anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=NOT_ALLOWED, staff_reporting=NOT_ALLOWED
)
REFUSED = (LOGIN, DENIED, NOT_FOUND)


def _attachment(t):
    """An attached law on State A's submitted version (made in the test's own savepoint)."""
    attachment = VersionAttachment(version=t.version, title="Arms and Ammunition Act")
    attachment.file.save("act.pdf", ContentFile(PDF), save=True)
    return attachment


def _reviewed(t):
    """State A's submitted version, marked as reviewed so that it can be published."""
    return services.version_review(version=t.version, reviewed_by=t.version.submitted_by)


PAGES: dict = {
    "reports/": (lambda t: "/reports/", EVERYONE),
    "reports/published/": (lambda t: "/reports/published/", EVERYONE),
    "reports/start/<iso3:iso3>/": (lambda t: f"/reports/start/{t.state.iso3}/", SIGNED_IN_POST_ONLY),
    "reports/versions/<int:pk>/": (lambda t: f"/reports/versions/{t.draft_a.pk}/", DRAFT_A_READERS),
    "reports/versions/<int:pk>/edit/": (lambda t: f"/reports/versions/{t.draft_a.pk}/edit/", DRAFT_A_EDITORS),
    "reports/versions/<int:pk>/submit/": (lambda t: f"/reports/versions/{t.draft_a.pk}/submit/", SIGNED_IN_POST_ONLY),
    "reports/versions/<int:pk>/discard/": (
        lambda t: f"/reports/versions/{t.draft_a.pk}/discard/",
        SIGNED_IN_POST_ONLY,
    ),
    "reports/versions/<int:pk>/review/": (lambda t: f"/reports/versions/{t.version.pk}/review/", REVIEWERS_POST_ONLY),
    "reports/versions/<int:pk>/publish/": (
        lambda t: f"/reports/versions/{t.version.pk}/publish/",
        REVIEWERS_POST_ONLY,
    ),
    "reports/versions/<int:pk>/queries/new/": (
        lambda t: f"/reports/versions/{t.version.pk}/queries/new/",
        REVIEWERS_POST_ONLY,
    ),
    "reports/queries/<int:pk>/answer/": (lambda t: f"/reports/queries/{t.query_a.pk}/answer/", VERSION_ANSWERERS),
    "reports/attachments/<int:pk>/": (lambda t: f"/reports/attachments/{_attachment(t).pk}/", VERSION_READERS),
}

WRITES: dict = {
    "start a draft": Write(
        "post",
        lambda t: f"/reports/start/{t.state.iso3}/",
        lambda t: {"kind": "annual", "year": "2022"},
        ["state_a_rep"],
    ),
    "save a draft online": Write(
        "post",
        lambda t: f"/reports/versions/{t.draft_a.pk}/edit/",
        lambda t: edit_payload(exports=[row(), row(category="II", items="1")], imports_nil=True),
        ["state_a_rep"],
        REFUSED,
    ),
    "submit a draft": Write(
        "post", lambda t: f"/reports/versions/{t.draft_a.pk}/submit/", lambda t: {}, ["state_a_rep"], REFUSED
    ),
    "discard a draft": Write(
        "post", lambda t: f"/reports/versions/{t.draft_a.pk}/discard/", lambda t: {}, ["state_a_rep"], REFUSED
    ),
    "review a version": Write("post", lambda t: f"/reports/versions/{t.version.pk}/review/", lambda t: {}, REVIEWERS),
    "publish a version": Write(
        "post", lambda t: f"/reports/versions/{_reviewed(t).pk}/publish/", lambda t: {}, REVIEWERS
    ),
    "ask a clarification query": Write(
        "post",
        lambda t: f"/reports/versions/{t.version.pk}/queries/new/",
        lambda t: {"question": "Are the 2021 imports authorised or actual?"},
        REVIEWERS,
    ),
    "answer a clarification query": Write(
        "post",
        lambda t: f"/reports/queries/{t.query_a.pk}/answer/",
        lambda t: {"answer": "The Ministry of Trade issued them."},
        ["state_a_rep"],
        REFUSED,
    ),
}
