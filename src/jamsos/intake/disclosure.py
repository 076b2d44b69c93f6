"""What one viewer may read of a row's issues, values and duplicate candidates.

Rows, checks and their messages are stored (or computed) whole; this module decides, at
display time and per viewer, what leaves the server (issue 10, "Any NIK → a name, across
scope" and "Full NIK in messages"):

1. A person registered **outside the viewer's region**: the row says "already registered"
   and nothing more — the ``already_registered`` message loses the name, and registry
   candidates of possible duplicates living there are dropped (a ``possible_duplicate``
   warning left without a visible candidate is dropped too).
2. A viewer without ``registry.view_full_nik``: every NIK-like run of digits inside
   messages, issue values and values is masked as the NIK column is
   (``130303********12``).

Inside the viewer's scope with the permission nothing changes. Stored data never changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from jamsos.accounts.access import region_in_scope
from jamsos.accounts.models import User
from jamsos.intake.codes import REGISTERED_OUTSIDE_SCOPE, issue_message, issue_text
from jamsos.lib.nik import nik_runs_mask
from jamsos.registry.models import Person

_ROW_NUMBER = re.compile(r"^Baris (\d+),")
VALUE_KEYS_MASKED = ("nik", "family_card_number")


def mask_nik_runs(text: str) -> str:
    """Every NIK-like run of digits in ``text`` masked (``lib.nik.nik_runs_mask``)."""
    return nik_runs_mask(text)


@dataclass
class Disclosure:
    """The rules above for one viewer; build once per page with every NIK it shows."""

    viewer: User
    full_nik: bool
    # NIK → village code of the registered person (for "already registered" rows).
    registered_villages: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_viewer(cls, viewer: User, issue_lists: Iterable[Iterable[dict]] = ()) -> Disclosure:
        niks = {
            str(i.get("value") or "")
            for issues in issue_lists
            for i in issues or []
            if i.get("code") == "already_registered"
        }
        villages = dict(
            Person.objects.filter(nik__in=[n for n in niks if n]).values_list("nik", "village_id")
        )
        return cls(
            viewer=viewer,
            full_nik=viewer.has_perm("registry.view_full_nik"),
            registered_villages={k: v or "" for k, v in villages.items()},
        )

    # -- the pieces ----------------------------------------------------------------------

    def candidate_visible(self, candidate: dict[str, Any]) -> bool:
        if candidate.get("source") != "registry":
            return True  # another row of a batch the viewer sees
        return region_in_scope(self.viewer, str(candidate.get("village") or "") or None)

    def candidates(self, candidates: Iterable[dict[str, Any]] | None) -> list[dict[str, Any]]:
        return [dict(c) for c in candidates or [] if self.candidate_visible(c)]

    def issues(
        self,
        issues: Iterable[dict[str, Any]] | None,
        *,
        candidates: Iterable[dict[str, Any]] | None = None,
        row_number: int | None = None,
    ) -> list[dict[str, Any]]:
        """``issues`` as this viewer may read them (copies; the input is untouched)."""
        from jamsos.intake.validation import candidate_text

        all_candidates = list(candidates or [])
        visible = self.candidates(all_candidates)
        shown: list[dict[str, Any]] = []
        for original in issues or []:
            entry = dict(original)
            number = row_number or _row_of(entry)
            entry["message"] = issue_text(entry, row=number)  # in the reader's language
            code = entry.get("code")
            if code == "already_registered" and not self._registered_visible(entry):
                entry["message"] = issue_message(
                    "already_registered",
                    row=number,
                    column=entry.get("column", ""),
                    value=entry.get("value"),
                    template=REGISTERED_OUTSIDE_SCOPE,
                )
            elif code == "possible_duplicate" and len(visible) < len(all_candidates):
                if not visible:
                    continue
                entry["message"] = issue_message(
                    "possible_duplicate",
                    row=number,
                    column=entry.get("column", ""),
                    value=entry.get("value"),
                    candidate=candidate_text(visible[0]),
                )
            if not self.full_nik:
                entry["message"] = mask_nik_runs(str(entry.get("message") or ""))
                entry["value"] = mask_nik_runs(str(entry.get("value") or ""))
            shown.append(entry)
        return shown

    def values(self, values: dict[str, Any] | None) -> dict[str, Any]:
        shown = dict(values or {})
        if not self.full_nik:
            for key in VALUE_KEYS_MASKED:
                if shown.get(key):
                    shown[key] = mask_nik_runs(str(shown[key]))
        return shown

    def _registered_visible(self, entry: dict[str, Any]) -> bool:
        village = self.registered_villages.get(str(entry.get("value") or ""))
        return region_in_scope(self.viewer, village or None)

    # -- rows ------------------------------------------------------------------------------

    def row(self, row: Any) -> Any:
        """Set ``shown_issues``, ``shown_candidates`` and ``shown_values`` on a
        ``ProposalRow`` (templates read these, never the stored fields)."""
        row.shown_issues = self.issues(
            row.issues, candidates=row.duplicate_candidates, row_number=row.row_number
        )
        row.shown_candidates = self.candidates(row.duplicate_candidates)
        row.shown_values = self.values(row.values)
        return row


def rows_disclosed(rows: Iterable[Any], viewer: User) -> list[Any]:
    """Rows of one page with ``Disclosure.row`` applied (one query for the page)."""
    rows = list(rows)
    disclosure = Disclosure.for_viewer(viewer, [r.issues for r in rows])
    return [disclosure.row(r) for r in rows]


def _row_of(entry: dict[str, Any]) -> int:
    if entry.get("row"):
        return int(entry["row"])
    match = _ROW_NUMBER.match(str(entry.get("message") or ""))
    return int(match.group(1)) if match else 0
