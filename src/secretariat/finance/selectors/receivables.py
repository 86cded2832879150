"""Reads behind the invoice and payment pages, a State's contributions page and its dossier panel.

Every figure comes from the ledger or the documents with a fixed number of queries per page:
an invoice's open balance is its receivable lines, what it received is its live allocations
(those whose entry was not reversed), what was credited its credit notes; a payment's unallocated
credit is its lines on account 2100.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.accounts.models import RoleAssignment
from secretariat.contacts.models import ContactRole
from secretariat.contacts.selectors import contacts_valid_on
from secretariat.core.access import Principal, can_oversee_finance, can_see_state_finances
from secretariat.core.roles import Role
from secretariat.reminders.models import OutboxMessage
from secretariat.states.models import State, name_field
from secretariat.states.selectors import DossierPanel

from ..ledger import ZERO, cents
from ..models import AccountCode, Allocation, CreditNote, Fund, Invoice, JournalEntry, JournalLine, Payment
from ..models.common import MONEY_DIGITS

MONEY = DecimalField(max_digits=MONEY_DIGITS + 4, decimal_places=2)


class InvoiceStatus:
    OPEN = "open"
    PAID = "paid"
    CREDITED = "credited"

    choices = [(OPEN, _("Open")), (PAID, _("Paid")), (CREDITED, _("Credited"))]


def _sum_of(queryset: QuerySet, group: str, expression: F | str) -> Coalesce:
    """A correlated subquery: the sum of `expression` over `queryset` (filtered on an OuterRef of
    its `group` column), zero when there is no row."""
    subquery = queryset.order_by().values(group).annotate(total=Sum(expression, output_field=MONEY)).values("total")
    return Coalesce(Subquery(subquery, output_field=MONEY), Value(ZERO), output_field=MONEY)


def invoices_with_figures(queryset: QuerySet[Invoice] | None = None) -> QuerySet[Invoice]:
    """Invoices annotated with `credited` (credit notes), `received` (live allocations) and
    `open_balance` (the ledger's receivable lines). One query."""
    queryset = Invoice.objects.all() if queryset is None else queryset
    return queryset.select_related("state", "fund").annotate(
        credited=_sum_of(CreditNote.objects.filter(invoice=OuterRef("pk")), "invoice", "amount"),
        received=_sum_of(
            Allocation.objects.filter(invoice=OuterRef("pk"), entry__reversed_by__isnull=True), "invoice", "amount"
        ),
        open_balance=_sum_of(
            JournalLine.objects.filter(invoice=OuterRef("pk"), account__code=AccountCode.RECEIVABLE),
            "invoice",
            F("debit") - F("credit"),
        ),
    )


def invoice_status(invoice: Invoice) -> str:
    """Open while anything is owed; else paid when money was allocated to it, else credited."""
    if cents(invoice.open_balance) > 0:
        return InvoiceStatus.OPEN
    if cents(invoice.received) > 0:
        return InvoiceStatus.PAID
    return InvoiceStatus.CREDITED


def _with_status(invoices: Iterable[Invoice]) -> list[Invoice]:
    rows = []
    for invoice in invoices:
        invoice.open_balance = cents(invoice.open_balance)
        invoice.received = cents(invoice.received)
        invoice.credited = cents(invoice.credited)
        invoice.status = invoice_status(invoice)
        rows.append(invoice)
    return rows


# ---------------------------------------------------------------------------- the invoices list


@dataclass(frozen=True)
class InvoiceFilters:
    year: int | None = None
    iso3: str = ""
    status: str = ""
    run_id: int | None = None


@dataclass
class InvoiceList:
    rows: list[Invoice]
    amount: Decimal = ZERO
    credited: Decimal = ZERO
    received: Decimal = ZERO
    open_balance: Decimal = ZERO


def invoice_list(filters: InvoiceFilters) -> InvoiceList:
    """The invoices matching the filters, by year and number, with their totals. One query."""
    invoices = Invoice.objects.all()
    if filters.year:
        invoices = invoices.filter(year=filters.year)
    if filters.iso3:
        invoices = invoices.filter(state__iso3=filters.iso3.upper())
    if filters.run_id:
        invoices = invoices.filter(run_id=filters.run_id)
    rows = _with_status(invoices_with_figures(invoices).order_by("-year", "sequence"))
    if filters.status:
        rows = [row for row in rows if row.status == filters.status]
    return InvoiceList(
        rows=rows,
        amount=sum((row.amount for row in rows), ZERO),
        credited=sum((row.credited for row in rows), ZERO),
        received=sum((row.received for row in rows), ZERO),
        open_balance=sum((row.open_balance for row in rows), ZERO),
    )


def invoice_years() -> list[int]:
    return list(Invoice.objects.order_by("-year").values_list("year", flat=True).distinct())


def invoiced_states() -> list[State]:
    return list(State.objects.filter(pk__in=Invoice.objects.values("state_id")).order_by(name_field(), "iso3"))


# ---------------------------------------------------------------------------- one invoice


def _allocations() -> QuerySet[Allocation]:
    return (
        Allocation.objects.select_related("payment", "invoice", "entry", "allocated_by")
        .annotate(reversed=Exists(JournalEntry.objects.filter(reverses=OuterRef("entry_id"))))
        .order_by("pk")
    )


@dataclass
class InvoiceDetail:
    invoice: Invoice  # annotated (credited, received, open_balance, status)
    credit_notes: list[CreditNote]
    allocations: list[Allocation]  # annotated `reversed`
    entries: list[JournalEntry]  # the ledger entries that touch its receivable
    message: OutboxMessage | None  # the e-mail that carried it


def invoice_key(invoice: Invoice) -> str:
    """The outbox key of the e-mail that sends an invoice: one message per invoice, ever."""
    return f"invoice:{invoice.number}"


def invoice_detail(pk: int) -> InvoiceDetail | None:
    invoice = invoices_with_figures(Invoice.objects.filter(pk=pk)).select_related("run", "created_by").first()
    if invoice is None:
        return None
    invoice = _with_status([invoice])[0]
    entries = list(
        JournalEntry.objects.filter(lines__invoice=invoice, lines__account__code=AccountCode.RECEIVABLE)
        .distinct()
        .order_by("number")
    )
    return InvoiceDetail(
        invoice=invoice,
        credit_notes=list(invoice.credit_notes.select_related("created_by").order_by("year", "sequence")),
        allocations=list(_allocations().filter(invoice=invoice)),
        entries=entries,
        message=OutboxMessage.objects.filter(key=invoice_key(invoice)).first(),
    )


# ---------------------------------------------------------------------------- payments


def payments_with_figures(queryset: QuerySet[Payment] | None = None) -> QuerySet[Payment]:
    """Payments annotated with `left` (unallocated credit) and `reversed` (the payment itself was
    reversed). One query."""
    queryset = Payment.objects.all() if queryset is None else queryset
    return queryset.select_related("state", "fund", "statement").annotate(
        left=_sum_of(
            JournalLine.objects.filter(payment=OuterRef("pk"), account__code=AccountCode.STATE_CREDITS),
            "payment",
            F("credit") - F("debit"),
        ),
        reversed=Exists(JournalEntry.objects.filter(reverses=OuterRef("entry_id"))),
    )


@dataclass(frozen=True)
class PaymentFilters:
    year: int | None = None
    iso3: str = ""


@dataclass
class PaymentList:
    rows: list[Payment]
    amount: Decimal = ZERO
    left: Decimal = ZERO


def payment_list(filters: PaymentFilters) -> PaymentList:
    payments = Payment.objects.all()
    if filters.year:
        payments = payments.filter(received_on__year=filters.year)
    if filters.iso3:
        payments = payments.filter(state__iso3=filters.iso3.upper())
    rows = list(payments_with_figures(payments).order_by("-received_on", "-pk"))
    for row in rows:
        row.left = cents(row.left)
    live = [row for row in rows if not row.reversed]
    return PaymentList(
        rows=rows,
        amount=sum((row.amount for row in live), ZERO),
        left=sum((row.left for row in live), ZERO),
    )


def payment_years() -> list[int]:
    return sorted({day.year for day in Payment.objects.dates("received_on", "year")}, reverse=True)


def paying_states() -> list[State]:
    return list(State.objects.filter(pk__in=Payment.objects.values("state_id")).order_by(name_field(), "iso3"))


@dataclass
class PaymentDetail:
    payment: Payment  # annotated (left, reversed)
    allocations: list[Allocation]  # annotated `reversed`
    open_invoices: list[Invoice]  # the State's invoices in the fund with a balance (annotated)


def payment_detail(pk: int) -> PaymentDetail | None:
    payment = payments_with_figures(Payment.objects.filter(pk=pk)).select_related("recorded_by").first()
    if payment is None:
        return None
    payment.left = cents(payment.left)
    open_invoices = [
        invoice
        for invoice in _with_status(
            invoices_with_figures(Invoice.objects.filter(fund_id=payment.fund_id, state_id=payment.state_id)).order_by(
                "due_on", "year", "sequence"
            )
        )
        if invoice.open_balance > 0
    ]
    return PaymentDetail(
        payment=payment,
        allocations=list(_allocations().filter(payment=payment)),
        open_invoices=open_invoices,
    )


# ---------------------------------------------------------------------------- a State's finances


@dataclass
class StateFinances:
    state: State
    invoices: list[Invoice]  # annotated, newest first; `credit_notes_list` on each
    payments: list[Payment]  # annotated, newest first; `allocations_list` on each
    balance_due: Decimal
    credit_held: Decimal
    open_invoices: list[Invoice] = field(default_factory=list)  # oldest due first


def state_finances(state: State, *, fund: Fund | None = None) -> StateFinances:
    """Everything a State owes, paid and holds as credit in the General Budget. Five queries."""
    fund = fund or Fund.general()
    invoices = _with_status(
        invoices_with_figures(Invoice.objects.filter(fund=fund, state=state))
        .prefetch_related(Prefetch("credit_notes", queryset=CreditNote.objects.order_by("year", "sequence")))
        .order_by("-year", "-sequence")
    )
    for invoice in invoices:
        invoice.credit_notes_list = list(invoice.credit_notes.all())
    payments = list(
        payments_with_figures(Payment.objects.filter(fund=fund, state=state))
        .prefetch_related(Prefetch("allocations", queryset=_allocations()))
        .order_by("-received_on", "-pk")
    )
    for payment in payments:
        payment.left = cents(payment.left)
        payment.allocations_list = list(payment.allocations.all())
    open_invoices = sorted(
        (invoice for invoice in invoices if invoice.open_balance > 0),
        key=lambda invoice: (invoice.due_on, invoice.year, invoice.sequence),
    )
    return StateFinances(
        state=state,
        invoices=invoices,
        payments=payments,
        balance_due=sum((invoice.open_balance for invoice in invoices), ZERO),
        credit_held=sum((payment.left for payment in payments if not payment.reversed), ZERO),
        open_invoices=open_invoices,
    )


# ---------------------------------------------------------------------------- who receives an invoice


class RecipientSource:
    FINANCE = "finance"
    MISSION = "mission"
    REPRESENTATIVES = "representatives"
    NOBODY = ""

    labels = {
        FINANCE: _("the State's finance contacts"),
        MISSION: _("the State's Geneva mission contact"),
        REPRESENTATIVES: _("the State's representatives on the platform"),
        NOBODY: _("nobody: the State has no finance or mission contact and no representative"),
    }


@dataclass(frozen=True)
class Recipients:
    addresses: list[str]
    source: str

    @property
    def label(self) -> str:
        return str(RecipientSource.labels[self.source])


def _unique(addresses: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for address in addresses:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            unique.append(address)
    return unique


def invoice_recipients(state_ids: Iterable[int], *, day: dt.date) -> dict[int, Recipients]:
    """Who an invoice of each State is sent to on `day`: its finance contacts valid that day; if
    none, its Geneva mission contact; if none, its representatives on the platform; else nobody
    (such invoices are listed for staff, never dropped). Two queries."""
    state_ids = list(state_ids)
    by_role: dict[tuple[int, str], list[str]] = defaultdict(list)
    contacts = contacts_valid_on(day=day).filter(
        state_id__in=state_ids, role__in=[ContactRole.FINANCE, ContactRole.MISSION]
    )
    for contact in contacts.order_by("pk"):
        by_role[(contact.state_id, contact.role)].extend(contact.all_emails)
    representatives: dict[int, list[str]] = defaultdict(list)
    grants = RoleAssignment.objects.filter(
        role=Role.STATE_REPRESENTATIVE, state_id__in=state_ids, user__is_active=True
    ).values_list("state_id", "user__email")
    for state_id, email in grants.order_by("user__email"):
        representatives[state_id].append(email)
    found = {}
    for state_id in state_ids:
        for source, addresses in (
            (RecipientSource.FINANCE, by_role.get((state_id, ContactRole.FINANCE), [])),
            (RecipientSource.MISSION, by_role.get((state_id, ContactRole.MISSION), [])),
            (RecipientSource.REPRESENTATIVES, representatives.get(state_id, [])),
        ):
            if addresses:
                found[state_id] = Recipients(_unique(addresses), source)
                break
        else:
            found[state_id] = Recipients([], RecipientSource.NOBODY)
    return found


@dataclass(frozen=True)
class UnsentInvoice:
    invoice: Invoice
    recipients: Recipients  # who it would go to today


def invoices_not_sent(*, day: dt.date) -> list[UnsentInvoice]:
    """Issued invoices not yet put in the outbox (waiting for the background task, or nobody to
    send them to), oldest first, with who they would go to today. Three queries."""
    invoices = list(
        Invoice.objects.filter(emailed_at__isnull=True).select_related("state").order_by("year", "sequence")
    )
    recipients = invoice_recipients({invoice.state_id for invoice in invoices}, day=day)
    return [UnsentInvoice(invoice, recipients[invoice.state_id]) for invoice in invoices]


# ---------------------------------------------------------------------------- the State dossier

DOSSIER_PAYMENTS = 10


def balance_panel(state: State, principal: Principal) -> DossierPanel | None:
    """The State dossier's contributions panel, for the State's own representatives and staff
    (None for anyone else): balance due, credit held, open invoices with their due dates, and the
    latest payments with each allocation (payment → invoice, amount, date)."""
    if not can_see_state_finances(principal, state.pk):
        return None
    finances = state_finances(state)
    payments = [payment for payment in finances.payments if not payment.reversed]
    return DossierPanel(
        key="finance-balance",
        title=str(_("Assessed contributions")),
        template_name="finance/receivables/_dossier_panel.html",
        context={
            "state": state,
            "finances": finances,
            "today": timezone.localdate(),
            "payments": payments[:DOSSIER_PAYMENTS],
            "more_payments": max(len(payments) - DOSSIER_PAYMENTS, 0),
            "has_any": bool(finances.invoices or finances.payments),
            "may_open_workspace": can_oversee_finance(principal),
        },
    )
