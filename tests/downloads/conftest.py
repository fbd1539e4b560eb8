"""The downloads are a public vendor's: the shared ``acme`` vendor with a published article."""

import pytest

from tests.conftest import publish


@pytest.fixture
def acme(acme):
    publish(acme)
    return acme
