from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Help center"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Builds the search documents of articles written before search existed, on `migrate`.
        from django.core.signals import request_finished

        from articles.revisions.registry import register_models
        from articles.search import index  # noqa: F401
        from articles.search.buffers import after_answer

        # Every process that writes facts wakes the delivery worker when it commits (notify/announce.py).
        from articles.tasks import notify  # noqa: F401

        register_models()
        # Without Redis a web process writes its read counts and searches itself, after an answer (buffers.py).
        request_finished.connect(after_answer, dispatch_uid="articles.buffers.after_answer")
