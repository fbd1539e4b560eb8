"""Subscribers, webhook endpoints with their delivery log, and the outbox: what staff may see of notifications.

Subscribers are shown for support (status, what they follow) and can be
deleted; they cannot be added here: only the address's owner subscribes,
through the double opt-in. Outbox messages and deliveries are read-only logs.
"""

from __future__ import annotations

import secrets

from django.contrib import admin
from django.db import models

from articles.notify.models import OutboxMessage, Subscriber, WebhookDelivery, WebhookEndpoint


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "vendor", "frequency", "status", "created_at", "confirmed_at"]
    list_filter = ["status", "frequency", "vendor"]
    list_select_related = ["vendor"]
    search_fields = ["email"]
    readonly_fields = [
        "email",
        "vendor",
        "frequency",
        "status",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "digest_through",
    ]

    def has_add_permission(self, request) -> bool:
        return False


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = [
        "event_id",
        "status",
        "attempts",
        "response_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
    ]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-created_at"]
    show_change_link = True


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "vendor", "description", "paused", "failure_count"]
    list_filter = ["paused", "vendor"]
    list_select_related = ["vendor"]
    search_fields = ["url", "description"]
    readonly_fields = ["failure_count", "created_at"]
    inlines = [DeliveryInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_changeform_initial_data(self, request):
        # A fresh secret for each new endpoint, shown once to give to the customer.
        return {**super().get_changeform_initial_data(request), "secret": secrets.token_hex(32)}

    def save_model(self, request, obj, form, change):
        if change and "paused" in form.changed_data and not obj.paused:
            obj.failure_count = 0  # resumed by staff: count failures afresh
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event_id", "endpoint", "status", "attempts", "response_code", "next_attempt_at"]
    list_filter = ["status"]
    list_select_related = ["endpoint"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "created_at", "attempts", "next_attempt_at", "sent_at", "failed_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), ("failed_at", admin.EmptyFieldListFilter)]
    search_fields = ["to", "subject"]
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
