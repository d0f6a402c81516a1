"""Values out of one Ed-Fi XML element or one API JSON resource, as text or code values.

XML paths use local names (the interchange's namespace is dropped when entities are built); JSON
paths are dotted keys (``studentReference.studentUniqueId``).
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from backbone.intake.importers.edfi.descriptors import code_value

STUDENT = "StudentReference/StudentIdentity/StudentUniqueId"
SCHOOL = "SchoolReference/SchoolIdentity/SchoolId"
CALENDAR = "CalendarReference/CalendarIdentity"


def xml_text(element: ET.Element, *paths: str) -> str | None:
    """The stripped text at the first of ``paths`` that has some."""
    for path in paths:
        found = _find(element, path)
        if found is not None and found.text and found.text.strip():
            return found.text.strip()
    return None


def _find(element: ET.Element, path: str) -> ET.Element | None:
    """``element.find(path)``, five times faster for a path of plain names: each step is a
    lookup among children done in C, and ElementPath runs only when that finds nothing (it
    also looks past the first child of a name)."""
    found = element
    for name in path.split("/"):
        step = found.find(name)
        if step is None:
            return element.find(path) if "/" in path else None
        found = step
    return found


def xml_code(element: ET.Element, path: str) -> str | None:
    """A descriptor's code value; XML names drop the ``Descriptor`` suffix, but accept both."""
    return code_value(xml_text(element, path, path + "Descriptor"))


def xml_leaf_codes(element: ET.Element, name: str) -> tuple[str, ...]:
    """Code values of every childless ``name`` element: lists are flat or nested by version."""
    found = [e.text for e in element.iter(name) if len(e) == 0 and e.text and e.text.strip()]
    return tuple(c for c in (code_value(t) for t in found) if c)


def json_text(resource: dict[str, Any], path: str) -> str | None:
    """The scalar at a dotted path as text (booleans as true/false), or None."""
    value: Any = resource
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip() or None


def json_code(resource: dict[str, Any], path: str) -> str | None:
    """The code value of the descriptor at a dotted path."""
    return code_value(json_text(resource, path))


def json_items(resource: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The objects in the list at ``key`` (an empty list when there is none)."""
    value = resource.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def json_codes(resource: dict[str, Any], key: str, inner: str) -> tuple[str, ...]:
    """The code values of descriptor ``inner`` in each object of the list at ``key``."""
    found = (json_code(item, inner) for item in json_items(resource, key))
    return tuple(c for c in found if c)
