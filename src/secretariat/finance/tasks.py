"""Finance work done in the background by the django-tasks worker (`manage.py db_worker`).

`deliver_invoices` renders the PDFs of freshly issued invoices and puts their e-mails in the
outbox. `invoices_issue` queues it once its transaction has committed (never inside it: the
PDFs take time, and a rolled-back issue must send nothing). Running it twice for the same
invoices sends nothing twice (see services/invoice_delivery.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django_tasks import task

from .services.invoice_delivery import invoices_deliver

logger = logging.getLogger(__name__)


@task()
def deliver_invoices(invoice_ids: list[int]) -> dict[str, int]:
    return invoices_deliver(invoice_ids=invoice_ids).as_dict()


def deliver_invoices_later(invoice_ids: Iterable[int]) -> None:
    """Queue the delivery of these invoices (called on commit of the issue). If the queue cannot
    be reached the invoices stay on the "invoices not sent" page, where staff send them."""
    ids = [int(pk) for pk in invoice_ids]
    if ids:
        deliver_invoices.enqueue(ids)
