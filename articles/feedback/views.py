"""The "Was this helpful?" form's two steps: a vote, then (after a "no") an optional comment.

Without JavaScript each step answers with a page; feedback.js posts the same
forms with ``fragment=1`` and puts the answer's fragment in place of the form.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from articles.content.models import Article, ArticleClient
from articles.feedback.forms import CommentForm, VoteForm, comment_token
from articles.services import feedback as feedback_service
from articles.throttle import rate_limited


def _answer(request: HttpRequest, *, state: str, status: int = 200, **context) -> HttpResponse:
    """The answer as the page (no JavaScript) or as the fragment feedback.js puts in place of the form."""
    context = {"state": state, "uid": context.pop("uid", "article"), **context}
    template = (
        "articles/includes/feedback_answer.html"
        if request.POST.get("fragment") == "1"
        else "articles/feedback_page.html"
    )
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _errors(form) -> list[str]:
    return [message for messages in form.errors.values() for message in messages]


# Exempt from CSRF because the form sits on article pages that are the same for every
# reader and may come from a shared cache: it carries no per-visitor token. A vote is
# anonymous and changes no one's data; the honeypot and the rate limit guard it.
@csrf_exempt
@require_POST
@rate_limited("feedback")
def vote(request: HttpRequest) -> HttpResponse:
    """Count a yes or no on an article or one of its mail client sections; after a no, offer a comment."""
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _answer(request, state="error", status=400, errors=_errors(form))
    section = form.cleaned_data["section"]
    uid = section or "article"
    if form.caught:
        return _answer(request, state="thanks", uid=uid)
    article = (
        Article.objects.public().select_related("vendor").filter(pk=form.cleaned_data["article"]).first()
    )
    if article is None:
        return _answer(
            request,
            state="error",
            status=404,
            uid=uid,
            errors=[f"No published article has the number {form.cleaned_data['article']}."],
        )
    back_url = article.get_absolute_url() + (f"#{section}" if section else "")
    if section and not ArticleClient.objects.filter(article=article, mail_client__slug=section).exists():
        return _answer(
            request,
            state="error",
            status=400,
            uid=uid,
            back_url=article.get_absolute_url(),
            errors=[f"The article “{article.title}” has no section “{section}”."],
        )
    feedback = feedback_service.record_vote(article=article, section=section, helpful=form.helpful)
    if form.helpful:
        return _answer(request, state="thanks", uid=uid, back_url=back_url)
    return _answer(
        request,
        state="comment",
        uid=uid,
        back_url=back_url,
        form=CommentForm(initial={"token": comment_token(feedback.pk, back_url)}),
    )


@csrf_exempt  # the same reasons as vote(): an anonymous, rate-limited form on a shared page
@require_POST
@rate_limited("feedback")
def comment(request: HttpRequest) -> HttpResponse:
    """Attach the optional comment to the "no" just given (the form's signed token names it)."""
    form = CommentForm(request.POST)
    valid = form.is_valid()
    # (vote id, article address) once the signature is checked, whatever else is wrong.
    token = form.cleaned_data.get("token")
    # The section's anchor, from the signed address: the fragment's ids stay unique on the page.
    uid = (token[1].partition("#")[2] or "article") if token else "article"
    if not valid:
        return _answer(
            request,
            state="comment" if token else "error",
            status=400,
            uid=uid,
            back_url=token[1] if token else "",
            form=form,
            errors=_errors(form),
        )
    feedback_id, back_url = form.cleaned_data["token"]
    if form.caught or not form.cleaned_data["comment"]:
        return _answer(request, state="thanks", uid=uid, back_url=back_url)
    if not feedback_service.add_comment(feedback_id=feedback_id, comment=form.cleaned_data["comment"]):
        return _answer(
            request,
            state="error",
            status=400,
            uid=uid,
            back_url=back_url,
            errors=["This answer has a comment already: one comment per answer."],
        )
    return _answer(request, state="thanks", uid=uid, back_url=back_url, commented=True)
