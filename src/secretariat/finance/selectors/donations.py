"""Reads for donor agreements: who sees which, and what each agreement has received against its
pledge and instalments.

The pledge is in the agreement's currency; receipts are in the fund's currency (with the amount as
paid when the donor paid in another one). What counts against the pledge is what was paid in the
pledge's currency: the amount as paid when it was that currency, else the fund amount when the
pledge is in the fund's currency. A receipt paid in a third currency is shown but not counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from secretariat.core.access import Principal, can_manage_finance

from ..ledger import ZERO
from ..models import AgreementInstalment, DonorAgreement, DonorReceipt


def agreements_visible_to(principal: Principal) -> QuerySet[DonorAgreement]:
    """Finance staff see every agreement; a donor's representatives see their donors' only."""
    agreements = DonorAgreement.objects.select_related("donor", "fund").annotate(
        received=Sum("receipts__amount"), charged=Sum("receipts__admin_charge")
    )
    if can_manage_finance(principal):
        return agreements.order_by("-signed_on", "reference")
    return agreements.filter(donor_id__in=principal.donor_ids).order_by("-signed_on", "reference")


def agreement(pk: int) -> DonorAgreement | None:
    return DonorAgreement.objects.select_related("donor", "fund", "created_by").filter(pk=pk).first()


@dataclass(frozen=True)
class InstalmentRow:
    instalment: AgreementInstalment
    covered: Decimal  # how much of it the receipts (in the pledge's currency) cover

    @property
    def outstanding(self) -> Decimal:
        return self.instalment.amount - self.covered


@dataclass(frozen=True)
class AgreementSummary:
    agreement: DonorAgreement
    instalments: list[InstalmentRow]
    receipts: list[DonorReceipt]
    received: Decimal  # in the fund's currency
    admin_charges: Decimal  # in the fund's currency
    received_against_pledge: Decimal  # in the pledge's currency
    uncounted_receipts: int  # paid in a third currency

    @property
    def outstanding(self) -> Decimal:
        return max(ZERO, self.agreement.amount - self.received_against_pledge)

    @property
    def received_percent(self) -> Decimal:
        return (self.received_against_pledge * 100 / self.agreement.amount).quantize(Decimal("0.1"))

    @property
    def next_due(self) -> InstalmentRow | None:
        """The first instalment not fully covered by what was received (oldest first)."""
        return next((row for row in self.instalments if row.outstanding > 0), None)


def pledge_amount(receipt: DonorReceipt, agreement: DonorAgreement) -> Decimal | None:
    """What the receipt counts against the pledge, in the pledge's currency (None: a third currency)."""
    if receipt.original_currency:
        return receipt.original_amount if receipt.original_currency == agreement.currency else None
    return receipt.amount if agreement.fund.currency == agreement.currency else None


def agreement_summary(agreement: DonorAgreement) -> AgreementSummary:
    receipts = list(agreement.receipts.select_related("recorded_by", "entry").order_by("received_on", "pk"))
    counted = [pledge_amount(receipt, agreement) for receipt in receipts]
    against_pledge = sum((amount for amount in counted if amount is not None), ZERO)
    rows = []
    left = against_pledge
    for instalment in agreement.instalments.order_by("due_on", "pk"):
        covered = min(left, instalment.amount)
        left -= covered
        rows.append(InstalmentRow(instalment, covered))
    return AgreementSummary(
        agreement=agreement,
        instalments=rows,
        receipts=receipts,
        received=sum((receipt.amount for receipt in receipts), ZERO),
        admin_charges=sum((receipt.admin_charge for receipt in receipts), ZERO),
        received_against_pledge=against_pledge,
        uncounted_receipts=sum(1 for amount in counted if amount is None),
    )


def overdue(summary: AgreementSummary, today: dt.date) -> bool:
    row = summary.next_due
    return row is not None and row.instalment.due_on < today
