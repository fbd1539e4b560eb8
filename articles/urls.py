"""Public URLs. Vendor slugs live at the top level, so every other first
segment used here is listed in ``models.RESERVED_SLUGS``."""

from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("help/<slug:article>/", views.general_article, name="general_article"),
    path("<slug:vendor>/", views.vendor_hub, name="vendor"),
    path("<slug:vendor>/<slug:article>/", views.article_detail, name="article"),
]
