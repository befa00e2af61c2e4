"""Open311 output: JSON as DRF renders it, XML by the spec's mapping (the 'Spark convention').

A list is an element named after its plural with one child per item named after the singular
(`<services><service>…</service></services>`); None is an empty element, booleans are `true`/`false`.
"""
from __future__ import annotations

from xml.etree import ElementTree as ET

from rest_framework.renderers import BaseRenderer, JSONRenderer

# plural element → the element of each item
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


class Open311JSONRenderer(JSONRenderer):
    charset = "utf-8"
    ensure_ascii = False


class Open311XMLRenderer(BaseRenderer):
    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        root_name = self.root_name(renderer_context or {})
        root = ET.Element(root_name)
        self._fill(root, data)
        ET.indent(root, space="  ")
        return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode").encode("utf-8")

    @staticmethod
    def root_name(context: dict) -> str:
        response = context.get("response")
        if response is not None and response.status_code >= 400:
            return "errors"
        return getattr(context.get("view"), "xml_root", "response")

    def _fill(self, element: ET.Element, value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                self._fill(ET.SubElement(element, key), item)
        elif isinstance(value, (list, tuple)):
            item_name = ITEM_NAMES.get(element.tag, "item")
            for item in value:
                self._fill(ET.SubElement(element, item_name), item)
        elif isinstance(value, bool):
            element.text = "true" if value else "false"
        elif value is not None:
            element.text = str(value)
