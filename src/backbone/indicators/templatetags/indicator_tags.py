from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """``mapping[key]``, or None: for dicts keyed by ids in templates."""
    return mapping.get(key)
