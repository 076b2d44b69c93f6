import pytest

from jamsos.accounts.access import region_q
from jamsos.accounts.models import User

pytestmark = pytest.mark.django_db


def test_scope_filter_keeps_users_inside_region_only(personas):
    visible = set(
        User.objects.filter(region_q(personas.dinas_operator, "region")).values_list(
            "username", flat=True
        )
    )
    assert "p_agent" in visible
    assert "p_camat" in visible
    assert "p_outsider" not in visible


def test_agent_scope_is_its_nagari(personas):
    visible = set(
        User.objects.filter(region_q(personas.agent, "region")).values_list("username", flat=True)
    )
    assert visible == {"p_agent"}
