"""Template tags of the canvasser app, for other canvassing pages.

{% load canvass_app %}
{% walk_lists_to_claim campaign as lists %}   the lists the signed-in user may open on a phone (access.py)
"""

from django import template

from .. import access

register = template.Library()


@register.simple_tag(takes_context=True)
def walk_lists_to_claim(context, campaign):
    request = context.get("request")
    if request is None or campaign is None:
        return []
    return access.walk_lists_to_claim(request.user, campaign)
