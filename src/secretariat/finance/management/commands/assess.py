"""Compute assessed contributions from the UN scale:

    manage.py assess --year 2026 --amount 2500000 --dry-run --format csv

prints one row per assessed State: `iso3,name,un_rate,share,amount`. `--amount` is assessed as
Secretariat costs among the States Parties on the assessment date (`--date`, default today);
without it the year's adopted General Budget is assessed, pool by pool. `share` is the State's
exact fraction of the total (rate / Σ rates of the assessed States when one pool is assessed),
printed with 14 decimals; `amount` is to the cent and the amounts sum exactly to the total.
Warnings go to stderr. Without `--dry-run` the run is saved as a draft for staff approval (its id
is printed on stderr, so the CSV stays clean). `--rules NAME` picks a rule set (default: the
default one).
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from secretariat.finance.models import CostPool
from secretariat.finance.selectors import assessment as selectors
from secretariat.finance.selectors.budgets import adopted_budget
from secretariat.finance.services import assessment as services

HEADER = ["iso3", "name", "un_rate", "share", "amount"]


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date must be a date as YYYY-MM-DD, not {value!r}") from error


def _amount(value: str) -> Decimal:
    try:
        return services.clean_amount(value, label="--amount")
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from error


class Command(BaseCommand):
    help = "Compute assessed contributions for a year from the UN scale (and save a draft run unless --dry-run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="The financial year assessed.")
        parser.add_argument(
            "--amount",
            type=str,
            help="Assess this amount as Secretariat costs (default: the pools of the year's adopted budget).",
        )
        parser.add_argument("--date", type=str, help="The assessment date, YYYY-MM-DD (default: today).")
        parser.add_argument("--rules", type=str, help="The name of the rule set (default: the default one).")
        parser.add_argument("--format", choices=["csv", "table"], default="table", help="Output format.")
        parser.add_argument("--dry-run", action="store_true", help="Print the result; save nothing.")

    def handle(self, *args: object, **options: object) -> None:
        year = int(options["year"])  # type: ignore[arg-type]
        day = _day(str(options["date"])) if options["date"] else timezone.localdate()
        rule_set = (
            selectors.rule_set_by_name(str(options["rules"])) if options["rules"] else selectors.default_rule_set()
        )
        if rule_set is None:
            if options["rules"]:
                raise CommandError(f"There is no rule set named {options['rules']!r}.")
            raise CommandError("There is no default rule set; give one with --rules.")
        budget = None
        amounts = None
        if options["amount"] is not None:
            amounts = {CostPool.SECRETARIAT: _amount(str(options["amount"]))}
        else:
            budget = adopted_budget(year=year)
            if budget is None:
                raise CommandError(f"There is no adopted General Budget for {year}; give an amount with --amount.")
        try:
            if options["dry_run"]:
                run = None
                computation = services.assessment_prepare(
                    rule_set=rule_set, assessment_date=day, budget=budget, year=year, amounts=amounts
                )
            else:
                run, computation = services.assessment_run_compute_and_save(
                    rule_set=rule_set, assessment_date=day, budget=budget, year=year, amounts=amounts, created_by=None
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        rows = computation.state_totals()
        self._print(rows, str(options["format"]))
        for warning in computation.warning_messages():
            self.stderr.write(f"Warning: {warning}")
        self.stderr.write(
            f"{len(rows)} States assessed, total {computation.total:.2f} "
            f"(rule set: {rule_set.name}, assessment date {day.isoformat()}, UN scale {computation.scale_year})."
        )
        if run is not None:
            self.stderr.write(f"Saved draft assessment run {run.pk} for staff approval.")

    def _print(self, rows: list[services.StateTotal], output: str) -> None:
        if output == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(HEADER)
            for row in rows:
                writer.writerow(
                    [row.iso3, row.name, f"{row.un_rate}", f"{row.share_decimal:.14f}", f"{row.amount:.2f}"]
                )
            return
        self.stdout.write(f"{'ISO3':<5} {'State':<40} {'UN rate %':>10} {'Share':>18} {'Amount':>18}")
        for row in rows:
            self.stdout.write(
                f"{row.iso3:<5} {row.name[:40]:<40} {row.un_rate:>10} {row.share_decimal:>18.14f} {row.amount:>18,.2f}"
            )
