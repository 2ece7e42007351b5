"""{{ user|staff_name }}: a member of staff as pages and records name them (full name, else username)."""

from django import template

from procedures.roles import staff_name as name_of

register = template.Library()


@register.filter
def staff_name(user) -> str:
    return name_of(user) if user else ""
