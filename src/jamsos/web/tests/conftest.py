import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _reset_language():
    # A request in English leaves English active in this thread; later tests in the same
    # worker compare Indonesian strings.
    yield
    translation.activate(settings.LANGUAGE_CODE)
