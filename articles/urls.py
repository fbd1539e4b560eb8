"""Public URLs. Vendor slugs live at the top level, so every other first
segment used here is listed in ``models.RESERVED_SLUGS``."""

from django.urls import include, path

from articles import changelog_views, views
from articles.feedback import views as feedback_views
from articles.notify import views as notify_views
from articles.search import views as search_views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_views.search, name="search"),
    path("search/suggest/", search_views.search_suggest, name="search_suggest"),
    path("search/click/", search_views.search_click, name="search_click"),
    path("feedback/", feedback_views.vote, name="feedback"),
    path("feedback/comment/", feedback_views.comment, name="feedback_comment"),
    path("help/<slug:article>/", views.general_article, name="general_article"),
    # The change log: before the vendor and article patterns, which would claim "changes".
    path("changes.atom", changelog_views.all_changes_feed, name="all_changes_feed"),
    path("<slug:vendor>/changes/", changelog_views.vendor_changes, name="changes"),
    path("<slug:vendor>/changes.atom", changelog_views.vendor_changes_feed, name="changes_feed"),
    path("subscribe/", notify_views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", notify_views.confirm, name="subscribe_confirm"),
    path("unsubscribe/<str:token>/", notify_views.unsubscribe, name="unsubscribe"),
    # Downloads for IT: before the vendor and article patterns, which would claim their paths.
    path("", include("articles.downloads.urls")),
    path("<slug:vendor>/", views.vendor_hub, name="vendor"),
    path("<slug:vendor>/<slug:article>/", views.article_detail, name="article"),
]
