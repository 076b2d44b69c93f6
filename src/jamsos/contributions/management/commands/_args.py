"""Argument types shared by the contributions commands (errors in Bahasa Indonesia)."""

from __future__ import annotations

import argparse
import datetime as dt

from jamsos.lib.errors import DomainError
from jamsos.lib.formats import rupiah_parse
from jamsos.lib.periods import Month
from jamsos.regions.models import Region


def month_arg(text: str) -> Month:
    try:
        return Month.parse(text)
    except DomainError as exc:
        raise argparse.ArgumentTypeError(exc.message) from exc


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f'"{text}" bukan tanggal (format TTTT-BB-HH, contoh 2025-03-15)'
        ) from exc


def rupiah_arg(text: str) -> int:
    try:
        value = rupiah_parse(text)
    except DomainError as exc:
        raise argparse.ArgumentTypeError(exc.message) from exc
    if value <= 0:
        raise argparse.ArgumentTypeError(f"harus lebih dari 0: {text}")
    return value


def regency_arg(text: str) -> Region:
    region = Region.objects.filter(pk=text.strip(), level=Region.Level.REGENCY).first()
    if region is None:
        raise argparse.ArgumentTypeError(
            f'"{text}" bukan kode kabupaten/kota (contoh: 13.03 untuk Kabupaten Sijunjung)'
        )
    return region
