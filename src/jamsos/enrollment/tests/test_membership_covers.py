import datetime as dt

from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month


def test_covers_is_inclusive_at_both_ends():
    membership = Membership(first_month=dt.date(2022, 3, 1), last_month=dt.date(2022, 11, 1))
    assert not membership.covers(Month(2022, 2))
    assert membership.covers(Month(2022, 3))
    assert membership.covers(Month(2022, 11))
    assert not membership.covers(Month(2022, 12))
