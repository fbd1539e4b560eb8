"""The subscribe form's answer, and the pages behind the links in the mails.

The form sits on cached pages served to anonymous readers, so it carries no
CSRF token and these views are ``csrf_exempt``: there is no session to ride,
a request can only start a double opt-in (rate-limited, one mail per address
a day), and the confirm and unsubscribe POSTs are authorised by the signed
token in their URL. Mail clients send RFC 8058's one-click unsubscribe as a
POST with no cookie or token of ours.

A GET of a link never changes anything (mail gateways fetch links to scan
them): it shows a button that POSTs.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from articles.notify import mails, subscriptions
from articles.throttle import rate_limited


def _messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


@csrf_exempt
@require_POST
@rate_limited("subscribe")
def subscribe(request: HttpRequest) -> HttpResponse:
    """One answer whether or not the address is known; bad input shown again with what is wrong."""
    values = {name: request.POST.get(name, "") for name in ("email", "vendor", "frequency")}
    try:
        subscriptions.subscribe(
            email=values["email"], vendor_slug=values["vendor"], frequency=values["frequency"] or "immediate"
        )
    except ValidationError as error:
        context = {"errors": _messages(error), "values": values}
        return render(request, "articles/notify/subscribe_answer.html", context, status=400)
    return render(request, "articles/notify/subscribe_answer.html", {})


def _link_page(request, *, heading: str, status: int = 200, **context) -> HttpResponse:
    response = render(request, "articles/notify/link.html", {"heading": heading, **context}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            subscriber = subscriptions.confirm(token)
            message = f"Subscribed: {subscriber.email} will hear of {mails.following(subscriber)}'s changes."
            return _link_page(request, heading="Subscription confirmed", message=message)
        subscriber = subscriptions.confirming(token)
    except ValidationError as error:
        return _link_page(request, heading="This link does not work", error=_messages(error)[0], status=400)
    following = mails.following(subscriber)
    return _link_page(
        request, heading="Confirm your subscription", message=f"Changes of {following}.", button="Confirm"
    )


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058: a POST unsubscribes at once; a GET asks first."""
    try:
        if request.method == "POST":
            subscriptions.unsubscribe(token)
            return _link_page(
                request,
                heading="Unsubscribed",
                message="Your address has been deleted; nothing more will be sent to it.",
            )
        subscriptions.unsubscribing(token)
    except ValidationError as error:
        status = 410 if error.code == "already_unsubscribed" else 400
        return _link_page(request, heading="Nothing to unsubscribe", error=_messages(error)[0], status=status)
    return _link_page(
        request,
        heading="Unsubscribe",
        message="Stop these mails and delete your address?",
        button="Unsubscribe",
    )
