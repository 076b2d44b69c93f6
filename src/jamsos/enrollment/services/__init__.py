"""Writes of the enrollment app, one module per capability (STYLE.md 2):

- ``decrees``: draft from a reservation, edit, approve, issue, cancel, amend; the decree
  format per kabupaten; the guard that keeps a used reservation from being released;
- ``bpjs``: the branch's verification results, and the money of rejected persons back
  to the pagu;
- ``memberships``: memberships from accepted lines, status refresh, renewal.
"""

from jamsos.enrollment.services.bpjs import (
    BpjsRecordSummary,
    BpjsResult,
    BpjsResultsInvalid,
    RowError,
    bpjs_results_import,
    bpjs_results_record,
    decree_budget_returns_flush,
)
from jamsos.enrollment.services.common import AlreadyCovered
from jamsos.enrollment.services.decrees import (
    DecreeOverQuota,
    decree_amend,
    decree_approve,
    decree_cancel,
    decree_draft_from_reservation,
    decree_issue,
    decree_line_counts_rebuild,
    decree_setting_save,
    decree_texts_update,
    legal_basis_save,
    reservation_release_guard,
)
from jamsos.enrollment.services.memberships import (
    membership_counts_rebuild,
    membership_renewal_propose,
    membership_statuses_refresh,
    renewal_link_reservation,
    renewal_reserve,
)

__all__ = [
    "AlreadyCovered",
    "BpjsRecordSummary",
    "BpjsResult",
    "BpjsResultsInvalid",
    "DecreeOverQuota",
    "RowError",
    "bpjs_results_import",
    "bpjs_results_record",
    "decree_amend",
    "decree_approve",
    "decree_budget_returns_flush",
    "decree_cancel",
    "decree_draft_from_reservation",
    "decree_issue",
    "decree_line_counts_rebuild",
    "decree_setting_save",
    "decree_texts_update",
    "legal_basis_save",
    "membership_counts_rebuild",
    "membership_renewal_propose",
    "membership_statuses_refresh",
    "renewal_link_reservation",
    "renewal_reserve",
    "reservation_release_guard",
]
