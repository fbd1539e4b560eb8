"""Admin forms as a browser posts them: read a page's form field by field, change a few values.

Shared by the admin tests and by the tests that show a refused write stores nothing.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.contrib.auth.models import Permission, User
from django.test import Client

from articles.content.models import Article
from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor


class _FormReader(HTMLParser):
    """The name/value pairs a browser would submit for one form, without pressing a button."""

    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.pairs: list[tuple[str, str]] = []
        self._textarea: list | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.form_id is None or attrs.get("id") == self.form_id
            return
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.pairs.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "chosen": [], "multiple": "multiple" in attrs}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"].append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            # Browsers drop the newline that follows <textarea>, as Django writes one.
            self.pairs.append((name, value[1:] if value.startswith("\n") else value))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"]
            if not chosen and not self._select["multiple"] and self._select["first"] is not None:
                chosen = [self._select["first"]]
            self.pairs.extend((self._select["name"], value) for value in chosen)
            self._select = None


def form_data(response, form_id: str | None = None) -> dict[str, str]:
    """The form on an admin page as a browser would post it (single values only)."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    return dict(reader.pairs)


def add_inline_row(data: dict[str, str], prefix: str, **values: str) -> dict[str, str]:
    """Fill the first blank extra row of an inline formset, adding one if needed."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    initial = int(data[f"{prefix}-INITIAL_FORMS"])
    index = next(
        (i for i in range(initial, total) if not any(data.get(f"{prefix}-{i}-{k}") for k in values)), total
    )
    if index == total:
        data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    for key, value in values.items():
        data[f"{prefix}-{index}-{key}"] = value
    return data


def inline_row(data: dict[str, str], prefix: str, pk: int) -> str:
    """The field-name prefix of the inline row that edits object ``pk``, e.g. "ip_ranges-1"."""
    name = next(
        name
        for name, value in data.items()
        if name.startswith(prefix) and name.endswith("-id") and value == str(pk)
    )
    return name.removesuffix("-id")


def vendor_facts(vendor: Vendor) -> dict:
    """Everything stored about a vendor's facts, to show that a refused edit changed nothing."""
    vendor.refresh_from_db()
    return {
        "vendor": (vendor.name, vendor.slug, vendor.facts_changed_at),
        "addresses": list(SenderAddress.objects.filter(vendor=vendor).order_by("pk").values_list()),
        "domains": list(SenderDomain.objects.filter(vendor=vendor).order_by("pk").values_list()),
        "ranges": list(IPRange.objects.filter(vendor=vendor).order_by("pk").values_list()),
    }


def errors_shown(response) -> str:
    html = response.content.decode()
    return " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S))


def staff_user(*perms: str, username: str = "support") -> Client:
    user = User.objects.create_user(username, password="x", is_staff=True)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client = Client()
    client.force_login(user)
    return client


def vendor_url(vendor: Vendor, suffix: str = "change/") -> str:
    return f"/admin/articles/vendor/{vendor.pk}/{suffix}"


def paste_url(vendor: Vendor) -> str:
    return vendor_url(vendor, "ranges/paste/")


def paste(client, vendor, text, *, save=True, tier="primary", public_note="", staff_note=""):
    button = {"_save": "Save all ranges"} if save else {"_check": "Check"}
    data = {"text": text, "tier": tier, "public_note": public_note, "staff_note": staff_note}
    return client.post(paste_url(vendor), {**data, **button})


def vendor_form(client, vendor) -> dict[str, str]:
    return form_data(client.get(vendor_url(vendor)), "vendor_form")


def article_url(article: Article, suffix: str = "change/") -> str:
    return f"/admin/articles/article/{article.pk}/{suffix}"


def article_add_data(admin_client, acme, **fields) -> dict[str, str]:
    data = form_data(admin_client.get("/admin/articles/article/add/"), "article_form")
    data.update({"vendor": str(acme.pk), "title": "Allowlisting Acme", "slug": "allowlisting-acme", **fields})
    return data
