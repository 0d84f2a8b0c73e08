"""Open311's XML: a root element holding one element per item, plain child elements inside."""

from xml.etree import ElementTree

from rest_framework.renderers import BaseRenderer


class Open311XMLRenderer(BaseRenderer):
    """The view names the root and item elements (`xml_root`, `xml_item`); errors are
    <errors><error>…</error></errors> whatever the view."""

    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        view = renderer_context.get("view")
        if response is not None and response.status_code >= 400:
            root_name, item_name = "errors", "error"
        else:
            root_name, item_name = view.xml_root, view.xml_item
        root = ElementTree.Element(root_name)
        for item in data if isinstance(data, list) else [data]:
            element = ElementTree.SubElement(root, item_name)
            for key, value in item.items():
                ElementTree.SubElement(element, key).text = _text(value)
        return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
