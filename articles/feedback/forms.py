"""The checks on a vote and on a comment, with messages that name what is wrong.

Neither form carries a CSRF token (the article pages are the same for every
reader and may be served from a shared cache): the honeypot field ``website``,
hidden from people by feedback.css, catches form-filling robots, and the
rate limit (articles/throttle.py) the rest.
"""

from __future__ import annotations

from django import forms
from django.core import signing

from articles.content.feedback import FEEDBACK_COMMENT_MAX_LENGTH

_COMMENT_SALT = "articles.feedback.comment"
#: A comment may follow its "no" within this many seconds.
COMMENT_MAX_AGE = 60 * 60


def comment_token(feedback_id: int, back_url: str) -> str:
    """A signed reference to a "no" vote, so a comment can only be attached to a vote just given.

    It carries the article's address too (signed, so it cannot be made to point
    elsewhere), for the no-JavaScript answer's "back to the article" link.
    """
    return signing.dumps([feedback_id, back_url], salt=_COMMENT_SALT)


class _Trap(forms.Form):
    website = forms.CharField(required=False, label="Leave this field empty")

    @property
    def caught(self) -> bool:
        """A robot filled in the hidden field: answer as if it worked, store nothing."""
        return bool(self.cleaned_data.get("website"))


class VoteForm(_Trap):
    article = forms.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "required": "The vote does not say which article it is about.",
            "invalid": "The article must be given by its number.",
            "min_value": "The article must be given by its number.",
            "max_value": "The article must be given by its number.",
        },
    )
    section = forms.SlugField(
        required=False,
        max_length=60,
        error_messages={
            "invalid": "The section must be a mail program's anchor, such as gmail.",
            "max_length": "The section must be a mail program's anchor, such as gmail.",
        },
    )
    vote = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        error_messages={
            "required": "Choose “Yes” or “No”.",
            "invalid_choice": "Choose “Yes” or “No”.",
        },
    )

    @property
    def helpful(self) -> bool:
        return self.cleaned_data["vote"] == "yes"


class CommentForm(_Trap):
    token = forms.CharField(
        max_length=200, error_messages={"required": "The comment does not say which answer it belongs to."}
    )
    comment = forms.CharField(
        label="What was missing or wrong? (optional)",
        required=False,
        max_length=FEEDBACK_COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": FEEDBACK_COMMENT_MAX_LENGTH}),
        error_messages={
            "max_length": (
                f"The comment may be at most {FEEDBACK_COMMENT_MAX_LENGTH} characters long; "
                "this one has %(show_value)d. Please shorten it."
            )
        },
    )

    def clean_token(self) -> tuple[int, str]:
        try:
            feedback_id, back_url = signing.loads(
                self.cleaned_data["token"], salt=_COMMENT_SALT, max_age=COMMENT_MAX_AGE
            )
        except signing.SignatureExpired:
            raise forms.ValidationError(
                "This comment form is more than an hour old. Your “No” was counted; thank you.",
                code="expired",
            ) from None
        except signing.BadSignature:
            raise forms.ValidationError(
                "The comment does not belong to an answer given on this site.", code="bad_token"
            ) from None
        return int(feedback_id), str(back_url)
