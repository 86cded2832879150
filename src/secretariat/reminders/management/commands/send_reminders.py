"""Plan and send the reminders due on a date: `manage.py send_reminders [--date YYYY-MM-DD] [--dry-run]`.

One line per message. Running the same date again sends nothing new (the outbox keys are
unique); messages that failed before, and acknowledgements still in the outbox, are retried.
The exit status is 1 when the mail server could not be reached (everything is kept for the next
run), else 0.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from secretariat.reminders.models import MessageStatus, OutboxMessage
from secretariat.reminders.planning import Planned, step_words
from secretariat.reminders.services import outbox_send, reminders_plan
from secretariat.states.models import State


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date must be a date as YYYY-MM-DD, not {value!r}") from error


class Command(BaseCommand):
    help = "Plan the reminders due on a date (default today) and send every message that is due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=str, help="The date to plan for, YYYY-MM-DD (default: today).")
        parser.add_argument("--dry-run", action="store_true", help="List what would be sent; change nothing.")

    def handle(self, *args: object, **options: object) -> None:
        day = _day(str(options["date"])) if options["date"] else timezone.localdate()
        dry_run = bool(options["dry_run"])
        plan = reminders_plan(day=day, dry_run=dry_run)
        if dry_run:
            self._print_dry_run(plan.planned, plan.new_keys, plan.states)
            return
        blocked = OutboxMessage.objects.filter(key__in=plan.no_recipient_keys & plan.new_keys)
        for message in blocked.select_related("state").order_by("planned_for", "state__iso3"):
            self.stdout.write(self._line("NO CONTACT", message))
        result = outbox_send(on_result=lambda message, outcome: self.stdout.write(self._line(outcome.upper(), message)))
        if plan.suppressed:
            self.stdout.write(f"{plan.suppressed} reminder(s) not sent: the obligation was met.")
        if not result.sent and not result.failed and not result.server_down:
            self.stdout.write("Nothing to send.")
        if result.server_down:
            self.stderr.write(
                f"The mail server could not be reached ({result.server_down}); "
                f"{result.left} message(s) are kept for the next run."
            )
            raise SystemExit(1)

    def _print_dry_run(self, planned: list[Planned], new_keys: set[str], states: dict[int, State]) -> None:
        waiting = dict(OutboxMessage.objects.filter(key__in=[p.key for p in planned]).values_list("key", "status"))
        shown = 0
        for item in planned:
            status = waiting.get(item.key)
            if item.key in new_keys:
                outcome = "WOULD SEND" if item.recipients else "NO CONTACT"
            elif status in (MessageStatus.PENDING, MessageStatus.FAILED):
                outcome = "WOULD SEND"
            else:
                continue  # already sent, suppressed or waiting for a contact
            shown += 1
            self.stdout.write(
                f"{outcome:<10} {item.send_on.isoformat()} {states[item.due.state_id].iso3} {item.due.label()} "
                f"({step_words(item.step)}, due {item.due.due_on.isoformat()}) [{item.language}] "
                f"to: {', '.join(item.recipients) or '-'}"
            )
        if not shown:
            self.stdout.write("Nothing to send.")

    def _line(self, outcome: str, message: OutboxMessage) -> str:
        iso3 = message.state.iso3 if message.state_id else "-"
        when = f"{message.planned_for.isoformat()}"
        about = message.obligation_label or message.kind
        step = f" ({step_words(message.step)}, due {message.due_on.isoformat()})" if message.step is not None else ""
        error = f" -- {message.last_error}" if outcome == "FAILED" else ""
        return (
            f"{outcome:<10} {when} {iso3} {about}{step} [{message.language}] to: {', '.join(message.recipients)}{error}"
        )
