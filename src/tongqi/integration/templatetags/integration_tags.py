"""``{% load integration_tags %}{% notification_bell %}``: the header's bell with the unread
count (one indexed COUNT query; nothing for anonymous visitors)."""

from django import template

from tongqi.integration.selectors import unread_count

register = template.Library()


@register.inclusion_tag("integration/_bell.html", takes_context=True)
def notification_bell(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {"user": user, "unread": unread_count(user) if user is not None else 0}
