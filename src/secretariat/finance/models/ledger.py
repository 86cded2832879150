"""Funds, their chart of accounts and the append-only double-entry ledger.

A journal entry is posted by inserting its lines first and the entry row last (both in one
transaction; the foreign key from line to entry is checked at commit). The database refuses
(triggers installed by migration 0002, on SQLite and PostgreSQL alike):
- an entry whose lines do not balance, or that has fewer than two lines;
- a line added to an entry already posted;
- any UPDATE or DELETE of an entry or a line (a mistake is corrected by a reversing entry);
- an entry that would leave an invoice's receivable below zero, or a payment's unallocated
  credit below zero.
`finance.ledger` (the service) checks the same rules first, so users get a clear message; the
database is the backstop.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .common import currency_field, money


class FundCode(models.TextChoices):
    GENERAL = "general", _("General Budget")
    VTF = "vtf", _("Voluntary Trust Fund")
    SPONSORSHIP = "sponsorship", _("Sponsorship Programme")


class Fund(models.Model):
    code = models.CharField(_("code"), max_length=12, choices=FundCode.choices, unique=True)
    currency = currency_field(_("currency"), default="USD")

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.get_code_display())

    @property
    def name(self) -> str:
        return str(self.get_code_display())

    @classmethod
    def general(cls) -> Fund:
        """The General Budget's fund: the one assessed contributions are invoiced and paid into."""
        return cls.objects.get(code=FundCode.GENERAL)


class AccountKind(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    NET_ASSETS = "net_assets", _("Net assets")
    REVENUE = "revenue", _("Revenue")
    EXPENSE = "expense", _("Expense")


class AccountCode(models.TextChoices):
    """The chart of accounts; every fund has every account (created by migration)."""

    BANK = "1100", _("Bank")
    ADMIN_BANK = "1110", _("Bank: administration account")
    RECEIVABLE = "1200", _("Contributions receivable")
    STATE_CREDITS = "2100", _("Payments not yet allocated (credits)")
    NET_ASSETS = "3000", _("Accumulated surplus")
    ASSESSED = "4100", _("Assessed contributions")
    VOLUNTARY = "4200", _("Voluntary contributions")
    REDUCTIONS = "4900", _("Reductions of contributions (credit notes)")
    EXPENDITURE = "5100", _("Expenditure")


ACCOUNT_KINDS: dict[str, str] = {
    AccountCode.BANK: AccountKind.ASSET,
    AccountCode.ADMIN_BANK: AccountKind.ASSET,
    AccountCode.RECEIVABLE: AccountKind.ASSET,
    AccountCode.STATE_CREDITS: AccountKind.LIABILITY,
    AccountCode.NET_ASSETS: AccountKind.NET_ASSETS,
    AccountCode.ASSESSED: AccountKind.REVENUE,
    AccountCode.VOLUNTARY: AccountKind.REVENUE,
    AccountCode.REDUCTIONS: AccountKind.REVENUE,
    AccountCode.EXPENDITURE: AccountKind.EXPENSE,
}


class Account(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("fund"))
    code = models.CharField(_("code"), max_length=4, choices=AccountCode.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["fund", "code"]
        constraints = [models.UniqueConstraint(fields=["fund", "code"], name="finance_account_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.get_code_display()}"


class NumberSequence(models.Model):
    """Gapless counters ("invoice:2026", "entry:general"): the row is locked and incremented in
    the transaction that uses the number, so a rolled-back transaction gives its number back."""

    key = models.CharField(max_length=40, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"


class EntryKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")
    PAYMENT = "payment", _("Payment received")
    ALLOCATION = "allocation", _("Payment allocated to an invoice")
    DONOR_RECEIPT = "donor_receipt", _("Donor contribution received")
    EXPENDITURE = "expenditure", _("Expenditure")
    OPENING = "opening", _("Opening balance")
    REVERSAL = "reversal", _("Reversal")


class JournalEntry(models.Model):
    # The key is made in Python so the lines can be written before their entry (see module doc).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries", verbose_name=_("fund"))
    number = models.PositiveIntegerField(_("number"))
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    memo = models.CharField(_("memo"), max_length=300)
    total = money(_("total"))
    line_count = models.PositiveSmallIntegerField(_("lines"))
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    posted_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["fund", "number"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "number"], name="finance_entry_unique_number"),
            models.CheckConstraint(name="finance_entry_total_positive", condition=Q(total__gt=0)),
            models.CheckConstraint(name="finance_entry_two_lines", condition=Q(line_count__gte=2)),
            models.CheckConstraint(
                name="finance_entry_reversal_kind",
                condition=Q(kind="reversal", reverses__isnull=False) | (~Q(kind="reversal") & Q(reverses__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund.code}-{self.number:06d} {self.memo}"


class JournalLine(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines", verbose_name=_("entry"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines", verbose_name=_("account"))
    debit = money(_("debit"), default=0)
    credit = money(_("credit"), default=0)
    # Sub-ledger references: whose money, which document.
    state = models.ForeignKey(
        "states.State", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("State")
    )
    invoice = models.ForeignKey(
        "finance.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_lines"
    )
    payment = models.ForeignKey(
        "finance.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_lines"
    )
    budget_line = models.ForeignKey(
        "finance.BudgetLine", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_lines"
    )
    donor = models.ForeignKey(
        "accounts.Donor", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("donor")
    )

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                name="finance_line_one_side",
                condition=Q(debit__gt=0, credit=0) | Q(debit=0, credit__gt=0),
            ),
        ]
        indexes = [
            models.Index(fields=["account", "invoice"], name="finance_line_account_invoice"),
            models.Index(fields=["account", "payment"], name="finance_line_account_payment"),
        ]

    def __str__(self) -> str:
        side = f"Dr {self.debit}" if self.debit else f"Cr {self.credit}"
        return f"{self.account.code} {side}"
