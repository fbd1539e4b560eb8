"""The API's URLs, under /api/ in the "api" namespace.

Parameters take any text, so that a bad value reaches its view and gets a JSON
error naming it, instead of the site's HTML 404; so does any other address
here.
"""

from django.urls import path, re_path, register_converter

from articles.api import changes, views

app_name = "api"


class AnyText:
    """Any non-empty text, "/" and line breaks included (``path`` stops at a line break)."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AnyText, "any")

urlpatterns = [
    path("", views.index, name="index"),
    path("schema", views.schema, name="schema"),
    path("vendors", views.vendor_list, name="vendors"),
    path("changes", changes.all_changes, name="changes"),
    path("vendors/<any:vendor>/changes", changes.vendor_changes, name="vendor_changes"),
    path("vendors/<any:vendor>/articles", views.vendor_articles, name="vendor_articles"),
    path("vendors/<any:vendor>", views.vendor_detail, name="vendor"),
    path("articles", views.article_list, name="articles"),
    path("ip/", views.ip_missing, name="ip_missing"),
    path("ip/<any:ip>", views.ip_lookup, name="ip"),
    re_path(r"^(?P<rest>[\s\S]*)$", views.not_found, name="not_found"),
]
