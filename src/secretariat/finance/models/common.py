from __future__ import annotations

from decimal import Decimal

from django.db import models

CENT = Decimal("0.01")
MONEY_DIGITS = 14  # up to 999,999,999,999.99


def money(verbose_name: str, **kwargs) -> models.DecimalField:
    """An amount in the fund's currency, to the cent."""
    return models.DecimalField(verbose_name, max_digits=MONEY_DIGITS, decimal_places=2, **kwargs)


def currency_field(verbose_name: str, **kwargs) -> models.CharField:
    """An ISO 4217 code (USD, CHF, EUR …)."""
    kwargs.setdefault("max_length", 3)
    return models.CharField(verbose_name, **kwargs)
