"""The download URLs: range files for all vendors and for one, contact files, the For IT page.

Included by ``articles/urls.py`` into its namespace ("articles") before the
vendor and article patterns, which would otherwise claim these paths.
"""

from django.urls import path

from articles.downloads import views

urlpatterns = [
    path("allowlist.txt", views.all_ranges_txt, name="all_allowlist_txt"),
    path("allowlist.csv", views.all_ranges_csv, name="all_allowlist_csv"),
    path("allowlist.json", views.all_ranges_json, name="all_allowlist_json"),
    path("<slug:vendor>/allowlist.txt", views.vendor_ranges_txt, name="allowlist_txt"),
    path("<slug:vendor>/allowlist.csv", views.vendor_ranges_csv, name="allowlist_csv"),
    path("<slug:vendor>/allowlist.json", views.vendor_ranges_json, name="allowlist_json"),
    path("<slug:vendor>/contact.vcf", views.contact_card, name="contact_card"),
    path("<slug:vendor>/gmail-filter.xml", views.gmail_filter, name="gmail_filter"),
    path("<slug:vendor>/for-it/", views.for_it, name="for_it"),
    path("<slug:vendor>/for-it/<str:filename>", views.snippet_download, name="snippet_download"),
]
