"""Every model of the app, gathered where Django looks for them.

The models live beside the code of their concern: ``facts.models``,
``content.models`` and ``search.models``. Code inside the app imports them
from there, never from here (an import-linter contract holds this).
"""

from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor, VendorOldSlug  # noqa: F401
