"""Public URLs. Vendor slugs live at the top level, so every other first
segment used here is listed in ``models.RESERVED_SLUGS``."""

from django.urls import path

from articles import views
from articles.downloads import views as downloads
from articles.search import views as search_views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_views.search, name="search"),
    path("search/suggest/", search_views.search_suggest, name="search_suggest"),
    path("search/click/", search_views.search_click, name="search_click"),
    path("help/<slug:article>/", views.general_article, name="general_article"),
    # Downloads for IT (downloads.py): before the vendor and article patterns.
    path("allowlist.txt", downloads.all_ranges_txt, name="all_allowlist_txt"),
    path("allowlist.csv", downloads.all_ranges_csv, name="all_allowlist_csv"),
    path("allowlist.json", downloads.all_ranges_json, name="all_allowlist_json"),
    path("<slug:vendor>/allowlist.txt", downloads.vendor_ranges_txt, name="allowlist_txt"),
    path("<slug:vendor>/allowlist.csv", downloads.vendor_ranges_csv, name="allowlist_csv"),
    path("<slug:vendor>/allowlist.json", downloads.vendor_ranges_json, name="allowlist_json"),
    path("<slug:vendor>/contact.vcf", downloads.contact_card, name="contact_card"),
    path("<slug:vendor>/gmail-filter.xml", downloads.gmail_filter, name="gmail_filter"),
    path("<slug:vendor>/for-it/", downloads.for_it, name="for_it"),
    path("<slug:vendor>/for-it/<str:filename>", downloads.snippet_download, name="snippet_download"),
    path("<slug:vendor>/", views.vendor_hub, name="vendor"),
    path("<slug:vendor>/<slug:article>/", views.article_detail, name="article"),
]
