"""The ledger's rules, enforced by the database itself (SQLite and PostgreSQL).

Installed by migration 0002. `finance.ledger` checks the same rules first so that users get a
clear message; these triggers are the backstop against any other code path (the shell, a
bug, a raw query). Each refusal is an IntegrityError.

- journal entries and lines, allocations, invoice lines and credit notes: no UPDATE, no DELETE;
- invoices and payments: no DELETE, and no change to their amounts, parties, dates or numbers;
- a line cannot join an entry already posted; an entry is refused unless its lines (written
  just before it, in the same transaction) number `line_count`, and debits and credits each sum
  to `total`;
- a posted entry may not leave an invoice's receivable, or a payment's unallocated credit,
  below zero; receivable lines name their invoice, credit lines their payment.

`manage.py flush` (which empties the whole database, for tests and development) lifts the
row guards on SQLite for its own duration; on PostgreSQL it truncates, which fires no row
triggers.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

APPEND_ONLY = [
    "finance_journalentry",
    "finance_journalline",
    "finance_allocation",
    "finance_invoiceline",
    "finance_creditnote",
]
FROZEN_COLUMNS = {
    "finance_invoice": [
        "fund_id",
        "number",
        "year",
        "sequence",
        "state_id",
        "run_id",
        "issued_on",
        "due_on",
        "currency",
        "amount",
    ],
    "finance_payment": [
        "fund_id",
        "state_id",
        "received_on",
        "amount",
        "original_amount",
        "original_currency",
        "exchange_rate",
        "bank_reference",
        "entry_id",
    ],
}
# Account codes 1200 (receivable) and 2100 (unallocated payments): see models.ledger.AccountCode.
_BALANCE_PROBLEM = """
    EXISTS (SELECT 1 FROM finance_journalline l JOIN finance_account a ON a.id = l.account_id
            WHERE l.entry_id = NEW.id AND (
                (a.code = '1200' AND l.invoice_id IS NULL)
                OR (a.code = '2100' AND l.payment_id IS NULL)
                OR (a.code = '1200' AND (
                    SELECT ROUND(SUM(r.debit) - SUM(r.credit), 2) FROM finance_journalline r
                    WHERE r.account_id = l.account_id AND r.invoice_id = l.invoice_id) < 0)
                OR (a.code = '2100' AND (
                    SELECT ROUND(SUM(r.credit) - SUM(r.debit), 2) FROM finance_journalline r
                    WHERE r.account_id = l.account_id AND r.payment_id = l.payment_id) < 0)))
"""
_UNBALANCED = """
    (SELECT COUNT(*) FROM finance_journalline WHERE entry_id = NEW.id) <> NEW.line_count
    OR (SELECT ROUND(SUM(debit), 2) FROM finance_journalline WHERE entry_id = NEW.id) <> ROUND(NEW.total, 2)
    OR (SELECT ROUND(SUM(credit), 2) FROM finance_journalline WHERE entry_id = NEW.id) <> ROUND(NEW.total, 2)
"""


def _sqlite_guard(table: str, event: str) -> str:
    return f"finance_guard_{table.removeprefix('finance_')}_{event.lower()}"


def _sqlite_row_guards() -> list[tuple[str, str]]:
    """(name, CREATE TRIGGER) for every UPDATE/DELETE guard."""
    guards = []
    for table in APPEND_ONLY:
        for event in ("UPDATE", "DELETE"):
            name = _sqlite_guard(table, event)
            guards.append(
                (
                    name,
                    f"CREATE TRIGGER {name} BEFORE {event} ON {table} BEGIN "
                    f"SELECT RAISE(ABORT, 'finance: {table} rows are append-only; post a reversal instead'); END",
                )
            )
    for table, columns in FROZEN_COLUMNS.items():
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        name = _sqlite_guard(table, "UPDATE")
        guards.append(
            (
                name,
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} WHEN {changed} BEGIN "
                f"SELECT RAISE(ABORT, 'finance: an issued {table.removeprefix('finance_')} is never edited'); END",
            )
        )
        name = _sqlite_guard(table, "DELETE")
        guards.append(
            (
                name,
                f"CREATE TRIGGER {name} BEFORE DELETE ON {table} BEGIN "
                f"SELECT RAISE(ABORT, 'finance: an issued {table.removeprefix('finance_')} is never deleted'); END",
            )
        )
    return guards


def _sqlite_insert_checks() -> list[str]:
    return [
        "CREATE TRIGGER finance_line_entry_open BEFORE INSERT ON finance_journalline "
        "WHEN EXISTS (SELECT 1 FROM finance_journalentry WHERE id = NEW.entry_id) BEGIN "
        "SELECT RAISE(ABORT, 'finance: a posted journal entry takes no more lines'); END",
        f"CREATE TRIGGER finance_entry_balanced BEFORE INSERT ON finance_journalentry WHEN {_UNBALANCED} BEGIN "
        "SELECT RAISE(ABORT, 'finance: the journal entry does not balance'); END",
        f"CREATE TRIGGER finance_entry_balances AFTER INSERT ON finance_journalentry WHEN {_BALANCE_PROBLEM} BEGIN "
        "SELECT RAISE(ABORT, 'finance: the entry would leave an invoice or a payment below zero'); END",
    ]


_PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION finance_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'finance: % rows are append-only (% refused); post a reversal instead', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'check_violation';
END $$;

CREATE OR REPLACE FUNCTION finance_line_entry_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM finance_journalentry WHERE id = NEW.entry_id) THEN
        RAISE EXCEPTION 'finance: a posted journal entry takes no more lines' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION finance_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {_UNBALANCED} THEN
        RAISE EXCEPTION 'finance: the journal entry does not balance' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION finance_entry_balances() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {_BALANCE_PROBLEM} THEN
        RAISE EXCEPTION 'finance: the entry would leave an invoice or a payment below zero'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
"""  # noqa: S608 - built from the constants above, no input


def _pg_statements() -> list[str]:
    statements = [_PG_FUNCTIONS]
    for table in APPEND_ONLY:
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION finance_refuse_change()"
        )
    for table, columns in FROZEN_COLUMNS.items():
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        statements.append(
            f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} FOR EACH ROW WHEN ({changed}) "
            "EXECUTE FUNCTION finance_refuse_change()"
        )
        statements.append(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION finance_refuse_change()"
        )
    statements += [
        "CREATE TRIGGER finance_line_entry_open BEFORE INSERT ON finance_journalline "
        "FOR EACH ROW EXECUTE FUNCTION finance_line_entry_open()",
        "CREATE TRIGGER finance_entry_balanced BEFORE INSERT ON finance_journalentry "
        "FOR EACH ROW EXECUTE FUNCTION finance_entry_balanced()",
        "CREATE TRIGGER finance_entry_balances AFTER INSERT ON finance_journalentry "
        "FOR EACH ROW EXECUTE FUNCTION finance_entry_balances()",
    ]
    return statements


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for _name, sql in _sqlite_row_guards():
                cursor.execute(sql)
            for sql in _sqlite_insert_checks():
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            for sql in _pg_statements():
                cursor.execute(sql)
        else:  # pragma: no cover - the platform supports these two
            raise NotImplementedError(connection.vendor)


def lift_row_guards_sqlite(connection: BaseDatabaseWrapper) -> None:
    """For `flush` only (see the module docstring)."""
    with connection.cursor() as cursor:
        for name, _sql in _sqlite_row_guards():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def restore_row_guards_sqlite(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for name, sql in _sqlite_row_guards():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(sql)
