"""Template helpers shared by every app's pages."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def local_name(obj, field: str = "name") -> str:
    """The object's name in the page's language: `name_en` on English pages when it has one."""
    if obj is None:
        return ""
    if (get_language() or "").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field, "") or str(obj)


@register.simple_tag(takes_context=True)
def can(context, action: str, obj=None) -> bool:
    """`{% can 'change' object as may_edit %}` or `{% can 'deals.register_contract' deal as may_register %}`:
    what the permission mechanism answers for the page's user (`core.permissions.allows`), so a button is shown
    only when the action behind it is allowed."""
    from greentech.core.permissions import allows

    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    return allows(user, action, obj)
