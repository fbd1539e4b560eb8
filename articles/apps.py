from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Help center"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from articles.facts import signals  # noqa: F401  (connects the receivers)
        from articles.search import index  # noqa: F401  (keeps the search index current)
