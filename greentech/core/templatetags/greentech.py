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
