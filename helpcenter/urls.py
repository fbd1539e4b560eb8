"""Root URLs: admin, the staff-only Markdown preview, sitemap, robots.txt, the site."""

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.http import require_POST
from markdownx.views import MarkdownifyView

from articles import views
from articles.sitemaps import SITEMAPS

urlpatterns = [
    # Before admin.site.urls, which would otherwise claim the path. Staff only:
    # markdownx's own view answers anyone.
    path(
        "admin/markdownx/markdownify/",
        staff_member_required(require_POST(MarkdownifyView.as_view())),
        name="markdownx_markdownify",
    ),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("", include("articles.urls")),
]

handler404 = "articles.views.not_found"
