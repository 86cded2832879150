"""Donor contributions to the Voluntary Trust Fund and the Sponsorship Programme: agreements with
their instalments, and receipts posted to the fund's ledger.

A receipt into the Sponsorship fund moves exactly 8% (`SPONSORSHIP_ADMIN_RATE`, rounded to the
cent) to the administration account in the same balanced entry: Dr 1100 (the programme's share)
+ Dr 1110 (the charge) / Cr 4200 (donor). A receipt into the VTF is Dr 1100 / Cr 4200.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from secretariat.accounts.models import Donor

from .. import ledger
from ..ledger import ZERO, EntrySpec, Line
from ..models import AccountCode, AgreementInstalment, DonorAgreement, DonorReceipt, EntryKind, Fund, FundCode
from ..models.common import CENT
from ..models.donations import SPONSORSHIP_ADMIN_RATE
from .spending import check_amount, check_not_future, money_text

DONOR_FUNDS = (FundCode.VTF, FundCode.SPONSORSHIP)
CURRENCY = re.compile(r"^[A-Z]{3}$")
# An amount converted at the rate given may differ from the bank's figure by this much (rounding).
CONVERSION_TOLERANCE = Decimal("0.01")


@dataclass(frozen=True)
class InstalmentSpec:
    due_on: dt.date
    amount: Decimal


def sponsorship_split(amount: Decimal) -> tuple[Decimal, Decimal]:
    """(to the programme, to the administration account) of a Sponsorship receipt: the charge is
    8% rounded to the cent, the programme gets the rest, so the two always add up to `amount`.
    (A whole number of cents times 8% never ends in exactly half a cent, so no tie to break.)"""
    charge = (amount * SPONSORSHIP_ADMIN_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
    return amount - charge, charge


def _currency(code: str, *, field: str) -> str:
    code = (code or "").strip().upper()
    if not CURRENCY.match(code):
        raise ValidationError({field: _("Give the currency as its three-letter ISO 4217 code (USD, CHF, EUR …).")})
    return code


def agreement_create(
    *,
    donor: Donor,
    fund: Fund,
    reference: str,
    signed_on: dt.date,
    amount: Decimal,
    currency: str,
    starts_on: dt.date,
    ends_on: dt.date,
    instalments: Sequence[InstalmentSpec],
    user: Any,
    earmark: str = "",
) -> DonorAgreement:
    """Record a donor agreement with its instalment schedule (which must add up to the amount)."""
    if fund.code not in DONOR_FUNDS:
        raise ValidationError(
            {
                "fund": _(
                    "Donor agreements are for the Voluntary Trust Fund or the Sponsorship Programme, not the %(fund)s."
                )
                % {"fund": fund.name}
            }
        )
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("Give the agreement's reference.")})
    check_not_future(signed_on, field="signed_on")
    check_amount(amount)
    currency = _currency(currency, field="currency")
    if starts_on is None or ends_on is None:
        raise ValidationError({"starts_on": _("Give the dates the agreement starts and ends.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The agreement cannot end before it starts.")})
    if not instalments:
        raise ValidationError({"instalments": _("Give the instalments of the agreement (at least one).")})
    for number, instalment in enumerate(instalments, start=1):
        if instalment.due_on is None:
            raise ValidationError({"instalments": _("Instalment %(number)s has no due date.") % {"number": number}})
        if instalment.amount is None or instalment.amount <= 0 or instalment.amount != instalment.amount.quantize(CENT):
            raise ValidationError(
                {"instalments": _("Instalment %(number)s must be more than zero, to the cent.") % {"number": number}}
            )
    total = sum((instalment.amount for instalment in instalments), ZERO)
    if total != amount:
        raise ValidationError(
            {
                "instalments": _(
                    "The instalments add up to %(total)s %(currency)s; the agreement is for %(amount)s %(currency)s."
                )
                % {"total": money_text(total), "amount": money_text(amount), "currency": currency}
            }
        )
    taken = _("An agreement with the reference %(reference)s is already recorded.") % {"reference": reference}
    if DonorAgreement.objects.filter(reference=reference).exists():
        raise ValidationError({"reference": taken})
    try:
        with transaction.atomic():
            agreement = DonorAgreement.objects.create(
                donor=donor,
                fund=fund,
                reference=reference[:100],
                signed_on=signed_on,
                amount=amount,
                currency=currency,
                earmark=(earmark or "").strip()[:300],
                starts_on=starts_on,
                ends_on=ends_on,
                created_by=user,
            )
            AgreementInstalment.objects.bulk_create(
                AgreementInstalment(agreement=agreement, due_on=instalment.due_on, amount=instalment.amount)
                for instalment in sorted(instalments, key=lambda i: i.due_on)
            )
    except IntegrityError as error:  # the same reference recorded at the same moment
        if DonorAgreement.objects.filter(reference=reference).exists():
            raise ValidationError({"reference": taken}) from error
        raise
    return agreement


def receipt_record(
    *,
    agreement: DonorAgreement,
    received_on: dt.date,
    amount: Decimal,
    user: Any,
    original_amount: Decimal | None = None,
    original_currency: str = "",
    exchange_rate: Decimal | None = None,
    bank_reference: str = "",
) -> DonorReceipt:
    """Record money received under an agreement, in the fund's currency (with the amount, currency
    and rate as paid when the donor paid in another currency), and post it to the fund's ledger."""
    check_not_future(received_on, field="received_on")
    check_amount(amount)
    bank_reference = (bank_reference or "").strip()[:100]
    fund = agreement.fund
    if fund.code not in DONOR_FUNDS:
        raise ValidationError(_("Donor receipts go to the Voluntary Trust Fund or the Sponsorship Programme."))
    original_currency = (original_currency or "").strip().upper()
    if original_currency == fund.currency:
        original_currency = ""
    if original_currency:
        _currency(original_currency, field="original_currency")
        if original_amount is None or original_amount <= 0:
            raise ValidationError({"original_amount": _("Give the amount as paid, more than zero.")})
        if exchange_rate is None or exchange_rate <= 0:
            raise ValidationError({"exchange_rate": _("Give the exchange rate used, more than zero.")})
        converted = (original_amount * exchange_rate).quantize(CENT, rounding=ROUND_HALF_UP)
        if abs(converted - amount) > CONVERSION_TOLERANCE:
            raise ValidationError(
                {
                    "amount": _(
                        "%(original)s %(paid)s at %(rate)s is %(converted)s %(currency)s, not %(amount)s %(currency)s. "
                        "The rate is the number of %(currency)s for one %(paid)s."
                    )
                    % {
                        "original": money_text(original_amount),
                        "paid": original_currency,
                        "rate": exchange_rate.normalize(),
                        "converted": money_text(converted),
                        "amount": money_text(amount),
                        "currency": fund.currency,
                    }
                }
            )
    elif original_amount is not None or exchange_rate is not None:
        raise ValidationError(
            {
                "original_currency": _(
                    "Give the amount as paid and the rate only for a payment in another currency than %(currency)s."
                )
                % {"currency": fund.currency}
            }
        )
    taken = _("A receipt with the bank reference %(reference)s is already recorded for this agreement.") % {
        "reference": bank_reference
    }
    programme, charge = sponsorship_split(amount) if fund.code == FundCode.SPONSORSHIP else (amount, ZERO)
    lines = [Line(AccountCode.BANK, debit=programme)]
    if charge > 0:
        lines.append(Line(AccountCode.ADMIN_BANK, debit=charge))
    lines.append(Line(AccountCode.VOLUNTARY, credit=amount, donor_id=agreement.donor_id))
    try:
        with transaction.atomic():
            agreement = DonorAgreement.objects.select_for_update().select_related("donor", "fund").get(pk=agreement.pk)
            if bank_reference and agreement.receipts.filter(bank_reference=bank_reference).exists():
                raise ValidationError({"bank_reference": taken})
            entry = ledger.post_one(
                fund,
                EntrySpec(
                    date=received_on,
                    kind=EntryKind.DONOR_RECEIPT,
                    memo=f"{agreement.reference} {agreement.donor.name} {bank_reference}".strip(),
                    lines=lines,
                ),
                user=user,
            )
            receipt = DonorReceipt.objects.create(
                agreement=agreement,
                received_on=received_on,
                amount=amount,
                original_amount=original_amount if original_currency else None,
                original_currency=original_currency,
                exchange_rate=exchange_rate if original_currency else None,
                bank_reference=bank_reference,
                admin_charge=charge,
                entry=entry,
                recorded_by=user,
            )
    except IntegrityError as error:  # the same bank reference recorded at the same moment
        if bank_reference and DonorReceipt.objects.filter(agreement=agreement, bank_reference=bank_reference).exists():
            raise ValidationError({"bank_reference": taken}) from error
        raise
    return receipt
