"""Configuration pages of the integration app (system administrator): portal API clients with
their secrets (created, rotated, revoked; a secret is shown once), status-push subscriptions,
dead letters with replay, and everyone's API tokens (revocation only).

Every change goes through integration.services, so it is validated and audited as elsewhere.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tongqi.web.admin_site import ConfigAdmin

from . import services
from .choices import CLIENT_STATUS_COLOURS, OutboxStatus, Topic
from .models import ApiClient, ApiToken, DeadLetter, Subscription


def _tag(label, colour: str):
    return format_html('<span class="tag tag-{}">{}</span>', colour, label)


def _secret_page(request, admin_obj, *, title, app_key, secret, algorithm, back_url, note=""):
    context = {
        **admin_obj.admin_site.each_context(request),
        "title": title,
        "app_key": app_key,
        "secret": secret,
        "algorithm": algorithm,
        "back_url": back_url,
        "note": note,
        "opts": admin_obj.model._meta,
    }
    return TemplateResponse(request, "admin/integration/secret_once.html", context)


class TopicsField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        choices = [("*", _("Every event")), *Topic.choices]
        super().__init__(choices=choices, widget=forms.CheckboxSelectMultiple, **kwargs)


class SubscriptionForm(forms.ModelForm):
    topics = TopicsField(label=_("Topics"), initial=[Topic.APPLICATION_STATUS_CHANGED])
    url = forms.URLField(label=_("callback URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = Subscription
        fields = ["name", "client", "url", "topics", "scope", "active"]

    def clean(self):
        data = super().clean()
        client = data.get("client") if "client" in self.fields else None
        if client is None and self.instance.client_id:
            client = self.instance.client
        try:
            data["topics"] = services.clean_subscription(
                client=client, scope=data.get("scope", ""), topics=list(data.get("topics") or [])
            )
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errs)
        return data


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    form = SubscriptionForm
    fields = ["name", "url", "topics", "scope", "active"]
    extra = 0
    verbose_name = _("status-push callback")
    verbose_name_plural = _("Status-push callbacks (signed with this client's secret)")

    def _allowed(self, request) -> bool:
        return bool(request.user.is_authenticated and request.user.can("config.manage"))

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class ApiClientForm(forms.ModelForm):
    class Meta:
        model = ApiClient
        fields = ["name", "algorithm", "allowed_ips", "org_unit", "contact"]

    def clean_allowed_ips(self):
        try:
            return services.clean_allowed_ips(self.cleaned_data.get("allowed_ips", ""))
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["allowed_ips"]) from None


class ApiClientAddForm(ApiClientForm):
    app_key = forms.SlugField(
        label=_("app key"),
        max_length=64,
        required=False,
        help_text=_("Leave empty to generate one."),
    )

    class Meta:
        model = ApiClient
        fields = ["name", "app_key", "algorithm", "allowed_ips", "org_unit", "contact"]


@admin.register(ApiClient)
class ApiClientAdmin(ConfigAdmin):
    list_display = ("name", "app_key", "algorithm", "status_tag", "org_unit", "last_used_at")
    list_filter = ("status", "algorithm")
    search_fields = ("name", "app_key", "contact")
    readonly_fields = (
        "app_key",
        "status",
        "created_at",
        "created_by",
        "rotated_at",
        "previous_valid_until",
        "revoked_at",
        "last_used_at",
    )
    fields = (
        "name",
        "app_key",
        "algorithm",
        "allowed_ips",
        "org_unit",
        "contact",
        "status",
        "created_at",
        "created_by",
        "rotated_at",
        "previous_valid_until",
        "revoked_at",
        "last_used_at",
    )
    inlines = [SubscriptionInline]
    form = ApiClientForm
    change_form_template = "admin/integration/apiclient/change_form.html"

    @admin.display(description=_("status"), ordering="status")
    def status_tag(self, obj):
        return _tag(obj.get_status_display(), CLIENT_STATUS_COLOURS.get(obj.status, "grey"))

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the record stays for the audit trail

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiClientAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "app_key", "algorithm", "allowed_ips", "org_unit", "contact"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("org_unit", "created_by")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            updated = services.api_client_update(
                client=obj,
                actor=request.user,
                **{k: data[k] for k in ("name", "algorithm", "allowed_ips", "org_unit", "contact")},
            )
            obj.__dict__.update(updated.__dict__)
            return
        client, secret = services.api_client_create(
            name=data["name"],
            actor=request.user,
            algorithm=data["algorithm"],
            allowed_ips=data.get("allowed_ips", ""),
            org_unit=data.get("org_unit"),
            contact=data.get("contact", ""),
            app_key=data.get("app_key") or "",
        )
        obj.pk = client.pk
        obj.__dict__.update(client.__dict__)
        request._tq_new_secret = secret

    def save_formset(self, request, form, formset, change):
        """Callbacks are saved through the services (validated, audited)."""
        client = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for f in formset.forms:
            if not f.has_changed() and not formset._should_delete_form(f):
                continue
            data = f.cleaned_data
            if formset._should_delete_form(f):
                if f.instance.pk:
                    services.subscription_update(
                        subscription=f.instance, actor=request.user, active=False
                    )
                    formset.deleted_objects.append(f.instance)
                    f.instance.delete()
                continue
            fields = {k: data[k] for k in ("name", "url", "topics", "scope", "active")}
            if f.instance.pk:
                sub = services.subscription_update(
                    subscription=f.instance, actor=request.user, **fields
                )
                formset.changed_objects.append((sub, f.changed_data))
            else:
                sub, _secret = services.subscription_create(
                    client=client, actor=request.user, **fields
                )
                formset.new_objects.append(sub)

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "_tq_new_secret", None)
        if not secret:
            return super().response_add(request, obj, post_url_continue)
        return _secret_page(
            request,
            self,
            title=_("Portal client created"),
            app_key=obj.app_key,
            secret=secret,
            algorithm=obj.algorithm,
            back_url=reverse("admin:integration_apiclient_change", args=[obj.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/rotate/",
                self.admin_site.admin_view(self.rotate_view),
                name="integration_apiclient_rotate",
            ),
            path(
                "<int:pk>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="integration_apiclient_revoke",
            ),
            *super().get_urls(),
        ]

    def _confirm(self, request, obj, *, title, question, action, danger=False):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "question": question,
            "object": obj,
            "action": action,
            "danger": danger,
            "opts": self.model._meta,
            "back_url": reverse("admin:integration_apiclient_change", args=[obj.pk]),
        }
        return TemplateResponse(request, "admin/integration/confirm.html", context)

    def rotate_view(self, request, pk: int):
        if not self._allowed(request):
            raise PermissionDenied
        client = get_object_or_404(ApiClient, pk=pk)
        hours = int(settings.TONGQI_API_SECRET_GRACE.total_seconds() // 3600)
        if request.method != "POST":
            return self._confirm(
                request,
                client,
                title=_("Rotate the secret"),
                question=_(
                    "Issue a new secret for {name}? The current secret stays valid for {hours} "
                    "hours so the portal can switch over."
                ).format(name=client, hours=hours),
                action=_("Rotate the secret"),
            )
        try:
            secret = services.api_client_rotate(client=client, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("admin:integration_apiclient_change", client.pk)
        client.refresh_from_db()
        return _secret_page(
            request,
            self,
            title=_("New secret issued"),
            app_key=client.app_key,
            secret=secret,
            algorithm=client.algorithm,
            back_url=reverse("admin:integration_apiclient_change", args=[client.pk]),
            note=_("The previous secret is accepted until {until}.").format(
                until=client.previous_valid_until.strftime("%Y-%m-%d %H:%M")
                if client.previous_valid_until
                else "-"
            ),
        )

    def revoke_view(self, request, pk: int):
        if not self._allowed(request):
            raise PermissionDenied
        client = get_object_or_404(ApiClient, pk=pk)
        if request.method != "POST":
            return self._confirm(
                request,
                client,
                title=_("Revoke the client"),
                question=_(
                    "Revoke {name}? Every request with its app key is refused at once and its "
                    "status pushes stop. This cannot be undone."
                ).format(name=client),
                action=_("Revoke"),
                danger=True,
            )
        services.api_client_revoke(client=client, actor=request.user, reason="administrator")
        messages.success(request, _("The client has been revoked."))
        return redirect("admin:integration_apiclient_change", client.pk)


@admin.register(Subscription)
class SubscriptionAdmin(ConfigAdmin):
    form = SubscriptionForm
    list_display = ("name", "client", "url", "scope", "active")
    list_filter = ("active", "scope")
    search_fields = ("name", "url")
    change_form_template = "admin/integration/subscription/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("client")

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead

    def get_readonly_fields(self, request, obj=None):
        return ("client",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {k: data[k] for k in ("name", "url", "topics", "scope", "active")}
        try:
            if change:
                updated = services.subscription_update(
                    subscription=obj, actor=request.user, **fields
                )
                obj.__dict__.update(updated.__dict__)
                return
            sub, secret = services.subscription_create(
                client=data.get("client"), actor=request.user, **fields
            )
        except ValidationError as exc:  # pragma: no cover - the form's clean catches these
            raise PermissionDenied(" ".join(exc.messages)) from exc
        obj.pk = sub.pk
        obj.__dict__.update(sub.__dict__)
        request._tq_new_secret = secret

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "_tq_new_secret", None)
        if not secret:
            return super().response_add(request, obj, post_url_continue)
        return _secret_page(
            request,
            self,
            title=_("Subscription created"),
            app_key="",
            secret=secret,
            algorithm="HMAC-SHA256",
            back_url=reverse("admin:integration_subscription_change", args=[obj.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/rotate/",
                self.admin_site.admin_view(self.rotate_view),
                name="integration_subscription_rotate",
            ),
            *super().get_urls(),
        ]

    def rotate_view(self, request, pk: int):
        if not self._allowed(request) or request.method != "POST":
            raise PermissionDenied
        sub = get_object_or_404(Subscription, pk=pk)
        try:
            secret = services.subscription_rotate_secret(subscription=sub, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("admin:integration_subscription_change", sub.pk)
        return _secret_page(
            request,
            self,
            title=_("New callback secret issued"),
            app_key="",
            secret=secret,
            algorithm="HMAC-SHA256",
            back_url=reverse("admin:integration_subscription_change", args=[sub.pk]),
        )


@admin.register(DeadLetter)
class DeadLetterAdmin(ConfigAdmin):
    list_display = ("id", "kind", "subject", "attempts", "short_error", "created_at")
    list_filter = ("kind",)
    search_fields = ("kind", "last_error")
    readonly_fields = (
        "kind",
        "payload",
        "delivery_id",
        "status",
        "attempts",
        "max_attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
    )
    fields = readonly_fields
    actions = ["replay_selected"]
    change_list_template = "admin/integration/deadletter/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=OutboxStatus.DEAD).order_by("-id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("subject"))
    def subject(self, obj):
        p = obj.payload or {}
        return p.get("subject") or p.get("notification") or ""

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return (obj.last_error or "")[:120]

    @admin.action(description=_("Replay the selected dead letters"))
    def replay_selected(self, request, queryset):
        n = services.outbox_replay(
            actor=request.user, ids=list(queryset.values_list("id", flat=True))
        )
        messages.success(request, _("{n} messages put back in the queue.").format(n=n))

    def get_urls(self):
        return [
            path(
                "replay-all/",
                self.admin_site.admin_view(self.replay_all_view),
                name="integration_deadletter_replay_all",
            ),
            *super().get_urls(),
        ]

    def replay_all_view(self, request):
        if not self._allowed(request) or request.method != "POST":
            raise PermissionDenied
        n = services.outbox_replay(actor=request.user)
        messages.success(request, _("{n} messages put back in the queue.").format(n=n))
        return redirect("admin:integration_deadletter_changelist")


@admin.register(ApiToken)
class ApiTokenAdmin(ConfigAdmin):
    """Everyone's tokens, to revoke a leaked one; tokens are created by their owners only."""

    capability = "users.manage"
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "state")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "last_used_ip",
    )
    fields = readonly_fields
    actions = ["revoke_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("status"))
    def state(self, obj):
        if obj.revoked_at:
            return _tag(_("Revoked"), "grey")
        if not obj.is_usable():
            return _tag(_("Expired"), "grey")
        return _tag(_("Active"), "green")

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke_selected(self, request, queryset):
        n = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.token_revoke(token=token, actor=request.user)
            n += 1
        messages.success(request, _("{n} tokens revoked.").format(n=n))
