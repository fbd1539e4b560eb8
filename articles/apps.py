from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Help center"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Builds the search documents of articles written before search existed, on `migrate`.
        from articles.revisions.registry import register_models
        from articles.search import index  # noqa: F401

        # Every process that writes facts wakes the delivery worker when it commits (notify/announce.py).
        from articles.tasks import notify  # noqa: F401

        register_models()
