"""Finance settings with their defaults: the Secretariat's letterhead and bank details printed on
invoices and credit notes.

The project settings may define `FINANCE_BANK_DETAILS` (a dict with the keys of `BankDetails`,
filled from environment variables) and `FINANCE_LETTERHEAD` (lines of text). Nothing here is a
real account: until the settings give the bank details, the documents say that the Secretariat
gives them on request instead of printing made-up numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.conf import settings

DEFAULT_BANK_DETAILS: dict[str, str] = {
    "account_holder": "Arms Trade Treaty Secretariat",
    "bank_name": "",
    "bank_address": "",
    "iban": "",
    "swift": "",
}

DEFAULT_LETTERHEAD: tuple[str, ...] = (
    "Arms Trade Treaty Secretariat",
    "Geneva, Switzerland",
    "info@thearmstradetreaty.org",
)


@dataclass(frozen=True)
class BankDetails:
    account_holder: str
    bank_name: str
    bank_address: str
    iban: str
    swift: str

    @property
    def complete(self) -> bool:
        """Enough to pay by bank transfer: holder, bank, IBAN and SWIFT/BIC."""
        return all((self.account_holder, self.bank_name, self.iban, self.swift))


def bank_details() -> BankDetails:
    given = getattr(settings, "FINANCE_BANK_DETAILS", None) or {}
    merged = {**DEFAULT_BANK_DETAILS, **{key: value for key, value in given.items() if value}}
    return BankDetails(**{field.name: str(merged.get(field.name, "")).strip() for field in fields(BankDetails)})


def letterhead() -> list[str]:
    lines = getattr(settings, "FINANCE_LETTERHEAD", None) or DEFAULT_LETTERHEAD
    return [str(line) for line in lines if str(line).strip()]
