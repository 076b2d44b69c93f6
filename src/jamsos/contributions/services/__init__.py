"""Writes of the contributions app, one module per capability (STYLE.md 2):

- ``billing``: the monthly (or prepaid) billing run;
- ``payments``: issuing bills, treasury payments, credit, reconciling a bill;
- ``reconciliation``: importing the BPJS statement, discrepancies and their resolution;
- ``arrears``: warnings, lapse and reactivation from the ``LapseRule`` data;
- ``arrears_months``: the arrears summary the arrears page and API read;
- ``adjustments``: credit notes for months billed after a member's death.
"""

from jamsos.contributions.services.adjustments import (
    CreditResult,
    membership_months_credit_unchecked,
)
from jamsos.contributions.services.arrears import (
    ArrearsEntry,
    ArrearsReport,
    arrears_candidates,
    arrears_check,
    lapse_rules_valid,
    membership_reactivate,
)
from jamsos.contributions.services.arrears_months import (
    ArrearsListing,
    arrears_listing,
    arrears_months_current,
    arrears_months_refresh,
    arrears_months_stale_mark,
)
from jamsos.contributions.services.billing import (
    BILLABLE_STATUSES,
    BillingResult,
    BillOutcome,
    bill_number,
    billing_run,
    bills_resum,
    prepayment_choices,
)
from jamsos.contributions.services.common import (
    BillingError,
    StatementInvalid,
    absorption_refresh,
)
from jamsos.contributions.services.payments import (
    Sp2dDuplicate,
    bill_issue,
    bill_reconcile,
    credit_balance,
    open_discrepancies_for,
    payment_record,
)
from jamsos.contributions.services.reconciliation import (
    ImportResult,
    discrepancies_find,
    discrepancy_resolve,
    months_parse,
    statement_import,
    statement_parse,
)

__all__ = [
    "BILLABLE_STATUSES",
    "ArrearsEntry",
    "ArrearsListing",
    "ArrearsReport",
    "BillOutcome",
    "BillingError",
    "BillingResult",
    "CreditResult",
    "ImportResult",
    "Sp2dDuplicate",
    "StatementInvalid",
    "absorption_refresh",
    "arrears_candidates",
    "arrears_check",
    "arrears_listing",
    "arrears_months_current",
    "arrears_months_refresh",
    "arrears_months_stale_mark",
    "bill_issue",
    "bill_number",
    "bill_reconcile",
    "billing_run",
    "bills_resum",
    "credit_balance",
    "discrepancies_find",
    "discrepancy_resolve",
    "lapse_rules_valid",
    "membership_months_credit_unchecked",
    "membership_reactivate",
    "months_parse",
    "open_discrepancies_for",
    "payment_record",
    "prepayment_choices",
    "statement_import",
    "statement_parse",
]
