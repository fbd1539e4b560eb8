"""Sender addresses and domains get a life span like IP ranges: added on, retired on.

Rows stored before this migration are dated the day it runs: the earliest day
the help center can vouch for. An address or domain may be listed again once
retired, so the unique constraints hold only among the ones not retired.
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0011_pending_and_schedule'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='senderaddress',
            name='unique_sender_address_per_vendor',
        ),
        migrations.RemoveConstraint(
            model_name='senderdomain',
            name='unique_sender_domain_per_vendor',
        ),
        migrations.AddField(
            model_name='senderaddress',
            name='added_on',
            field=models.DateField(default=django.utils.timezone.localdate, verbose_name='added on'),
        ),
        migrations.AddField(
            model_name='senderaddress',
            name='retired_on',
            field=models.DateField(blank=True, help_text='From this day it leaves the published lists; it is kept for the record.', null=True, verbose_name='retired on'),
        ),
        migrations.AddField(
            model_name='senderdomain',
            name='added_on',
            field=models.DateField(default=django.utils.timezone.localdate, verbose_name='added on'),
        ),
        migrations.AddField(
            model_name='senderdomain',
            name='retired_on',
            field=models.DateField(blank=True, help_text='From this day it leaves the published lists; it is kept for the record.', null=True, verbose_name='retired on'),
        ),
        migrations.AddConstraint(
            model_name='senderaddress',
            constraint=models.UniqueConstraint(condition=models.Q(('retired_on__isnull', True)), fields=('vendor', 'address'), name='unique_active_address_per_vendor', violation_error_message='This vendor already has that sender address.'),
        ),
        migrations.AddConstraint(
            model_name='senderdomain',
            constraint=models.UniqueConstraint(condition=models.Q(('retired_on__isnull', True)), fields=('vendor', 'domain'), name='unique_active_domain_per_vendor', violation_error_message='This vendor already has that sender domain.'),
        ),
    ]
