"""Root URLs: admin (its sign-in rate-limited), the staff-only Markdown preview, sitemap, robots.txt, the favicon, the site."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles import views
from articles.content.sitemaps import SITEMAPS
from articles.throttle import rate_limited

urlpatterns = [
    # Before admin.site.urls, which would otherwise claim the path. Our own
    # view: markdownx's answers anyone, and fails with a 500 on a bad request.
    path("admin/markdownx/markdownify/", views.markdown_preview, name="markdownx_markdownify"),
    # Sign-in attempts per address, across user names; django-axes locks each name out on its own.
    path("admin/login/", rate_limited("login", methods=["POST"])(admin.site.login)),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/", include("articles.api.urls")),
    path("", include("articles.urls")),
]

handler404 = "articles.views.not_found"
