"""Finance: funds and their double-entry ledgers, budgets, assessments from the UN scale,
invoices, credit notes, payments, arrears and Rule 8 payment plans, contribution-status
publication, spending against budget lines, and donor contributions.

One module per area; every money amount is a `Decimal` in its fund's currency (see `money()`).
"""

from .arrears import ConsequenceRule, PaymentPlan, PlanInstalment, PlanStatus
from .assessment import (
    AssessmentLine,
    AssessmentRuleSet,
    AssessmentRun,
    ConferenceAttendance,
    CostPool,
    RunStatus,
)
from .budgets import Budget, BudgetComment, BudgetLine, BudgetStatus, OverrunPolicy
from .donations import AgreementInstalment, DonorAgreement, DonorReceipt
from .ledger import (
    Account,
    AccountCode,
    AccountKind,
    EntryKind,
    Fund,
    FundCode,
    JournalEntry,
    JournalLine,
    NumberSequence,
)
from .publication import ContributionStatus
from .receivables import (
    Allocation,
    BankStatement,
    CreditNote,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentSource,
)
from .spending import Commitment, Expenditure

__all__ = [
    "Account",
    "AccountCode",
    "AccountKind",
    "AgreementInstalment",
    "Allocation",
    "AssessmentLine",
    "AssessmentRuleSet",
    "AssessmentRun",
    "BankStatement",
    "Budget",
    "BudgetComment",
    "BudgetLine",
    "BudgetStatus",
    "Commitment",
    "ConferenceAttendance",
    "ConsequenceRule",
    "ContributionStatus",
    "CostPool",
    "CreditNote",
    "DonorAgreement",
    "DonorReceipt",
    "EntryKind",
    "Expenditure",
    "Fund",
    "FundCode",
    "Invoice",
    "InvoiceLine",
    "JournalEntry",
    "JournalLine",
    "NumberSequence",
    "OverrunPolicy",
    "Payment",
    "PaymentPlan",
    "PaymentSource",
    "PlanInstalment",
    "PlanStatus",
    "RunStatus",
]
