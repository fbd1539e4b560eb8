"""Send every mail and webhook delivery that is due now, then stop (the worker does this each minute).

For operations (drain the outbox after an outage, from cron where no worker
runs) and for the tests that kill a worker mid-batch: it runs the worker's own
delivery code (``articles.tasks.notify.deliver_due``) in a process of its own.
"""

from django.core.management.base import BaseCommand

from articles.tasks.notify import deliver_due


class Command(BaseCommand):
    help = "Send the due outbox mails and webhook deliveries now."

    def handle(self, *args, **options):
        mails, hooks = deliver_due()
        self.stdout.write(f"Sent {mails} mail(s) and {hooks} webhook delivery(ies).")
