"""How long the long texts staff write may be: one place for every documented maximum.

Each long text (a ``TextField``) carries a ``TextLimit``, so ``full_clean()``
refuses a longer one on every way in: the admin's forms, the paste tool and
the import, which names the field's line. The limits sit in ``facts``, the
lowest layer, so that the models of every layer above can use them.

They are far above what a page needs (the demo's longest article body is
about 3,000 characters, its longest step 350) and low enough that a page, its
search document and its files stay small and fast. README.md and
fixtures/FORMAT.md list them for staff.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

#: An article's Markdown body: a long reference page is some 20,000 characters.
ARTICLE_BODY_MAX_LENGTH = 100_000
#: The introduction above a mail client's steps.
STEP_LIST_INTRO_MAX_LENGTH = 5_000
#: One step of a mail client section: a sentence or two.
STEP_TEXT_MAX_LENGTH = 2_000
#: A vendor's short description.
VENDOR_DESCRIPTION_MAX_LENGTH = 2_000
#: The terms of one synonym group, commas included.
SYNONYM_TERMS_MAX_LENGTH = 2_000


@deconstructible
class TextLimit(MaxLengthValidator):
    """``MaxLengthValidator`` with a message that gives both lengths with thousands separators."""

    message = _(
        "This text is %(length)s characters long; it may be at most %(limit)s characters. "
        "Shorten it, or split it into several."
    )

    def __call__(self, value: str) -> None:
        length = self.clean(value)
        if length > self.limit_value:
            raise ValidationError(
                self.message,
                code=self.code,
                params={"limit": f"{self.limit_value:,}", "length": f"{length:,}", "value": value},
            )
