"""Template tags of the deals app for other apps' pages (the offer page's valuation reference)."""

from django import template

from greentech.deals.statistics import REFERENCE_MINIMUM, valuation_reference

register = template.Library()


@register.inclusion_tag("deals/_valuation_reference.html")
def valuation_reference_for(offer):
    return {"reference": valuation_reference(offer), "minimum": REFERENCE_MINIMUM}
