"""Keep a vendor's ``facts_changed_at`` current whenever one of its facts changes.

Range files, sync tokens and "last updated" dates derive from it, so any
change to an address, domain or range (from the admin, an import or a
service) must move it in the same transaction.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from articles.facts.models import IPRange, SenderAddress, SenderDomain, Vendor


@receiver(post_save, sender=SenderAddress)
@receiver(post_save, sender=SenderDomain)
@receiver(post_save, sender=IPRange)
@receiver(post_delete, sender=SenderAddress)
@receiver(post_delete, sender=SenderDomain)
@receiver(post_delete, sender=IPRange)
def touch_vendor_facts(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    Vendor.objects.filter(pk=instance.vendor_id).update(facts_changed_at=timezone.now())
