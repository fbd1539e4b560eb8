"""Sender domains and addresses: one canonical form, clear refusals."""

import pytest
from django.core.exceptions import ValidationError

from articles.facts.senders import display_domain, normalise_address, normalise_domain


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("smarttrak.com", "smarttrak.com"),
        ("SmartTRAK.com.", "smarttrak.com"),
        ("@crmtool.net", "crmtool.net"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("BÜCHER.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
    ],
)
def test_domains_are_stored_in_one_canonical_form(text, canonical):
    assert normalise_domain(text) == canonical


def test_international_domains_are_shown_in_unicode():
    assert display_domain("xn--bcher-kva.example") == "bücher.example"


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("bad domain.com", "space", "contains a space"),
        ("", "empty", "Enter a domain"),
        ("localhost", "no_dot", "has no dot"),
        ("info@smarttrak.com", "address", "looks like an email address"),
        ("exa_mple.com", "invalid", "not a valid domain"),
    ],
)
def test_bad_domains_are_refused_with_a_reason(text, code, words):
    with pytest.raises(ValidationError) as caught:
        normalise_domain(text)
    assert caught.value.code == code
    assert words in caught.value.messages[0]


def test_addresses_keep_their_name_and_canonical_domain():
    assert normalise_address(" Info@SmartTRAK.com ") == "info@smarttrak.com"
    assert normalise_address("news@bücher.example") == "news@xn--bcher-kva.example"


@pytest.mark.parametrize(
    "text", ["not an email", "a@@b.com", "@smarttrak.com", "a b@c.com", "info@", "info@bad domain.com"]
)
def test_bad_addresses_are_refused(text):
    with pytest.raises(ValidationError) as caught:
        normalise_address(text)
    assert "email address" in caught.value.messages[0]
