"""Every branch of ``claims.access`` (STYLE.md 17)."""

from __future__ import annotations

import pytest

from jamsos.claims import access, services
from jamsos.claims.models import DocumentRequirement
from jamsos.claims.tests.conftest import OTHER_KECAMATAN_NAGARI, pdf_upload
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(personas, jkm_claim):
    requirement = DocumentRequirement.objects.get(claim_type="jkm", code="akta_kematian")
    return services.claim_document_upload(
        claim=jkm_claim, requirement=requirement, upload=pdf_upload(), acting_user=personas.agent
    )


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("agent", True),
        ("kecamatan_operator", True),
        ("dinas_operator", True),
        ("dinas_head", True),
        ("bpjs_officer", True),
        ("dprd", False),  # aggregate only
        ("executive", False),
        ("admin", False),  # no claims.view_claims
        ("outsider", False),  # out of scope
    ],
)
def test_access_claim_and_document(personas, jkm_claim, document, who, sees):
    user = getattr(personas, who)
    if sees:
        assert access.access_claim(user, jkm_claim.pk) == jkm_claim
        assert access.access_claim(user, jkm_claim.pk, for_write=True) == jkm_claim
        assert access.access_claim_document(user, document.pk) == document
    else:
        with pytest.raises(NotFoundOrForbidden):
            access.access_claim(user, jkm_claim.pk)
        with pytest.raises(NotFoundOrForbidden):
            access.access_claim_document(user, document.pk)


def test_missing_objects_look_like_forbidden_ones(personas):
    with pytest.raises(NotFoundOrForbidden):
        access.access_claim(personas.dinas_operator, 999_999)
    with pytest.raises(NotFoundOrForbidden):
        access.access_claim_document(personas.dinas_operator, 999_999)
    with pytest.raises(NotFoundOrForbidden):
        access.access_membership_for_claim(personas.dinas_operator, 999_999)


def test_superusers_see_everything(personas, jkm_claim):
    root = UserFactory(username="root", is_superuser=True)
    assert access.may_view_claims(root)
    assert access.access_claim(root, jkm_claim.pk) == jkm_claim


def test_membership_for_claim(personas, membership, make_membership):
    elsewhere = make_membership(village=OTHER_KECAMATAN_NAGARI)
    assert access.access_membership_for_claim(personas.agent, membership.pk) == membership
    with pytest.raises(NotFoundOrForbidden):
        access.access_membership_for_claim(personas.agent, elsewhere.pk)
    with pytest.raises(NotFoundOrForbidden):
        access.access_membership_for_claim(personas.bpjs_officer, membership.pk)


@pytest.mark.parametrize(
    ("who", "full"),
    [("dinas_operator", True), ("dinas_head", True), ("bpjs_officer", True), ("agent", False)],
)
def test_bank_accounts(personas, who, full):
    assert access.may_view_bank_accounts(getattr(personas, who)) is full
