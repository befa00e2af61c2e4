from rest_framework import pagination
from rest_framework.response import Response


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class FeatureCollectionPagination(PageNumberPagination):
    """A page of GeoJSON features is itself a FeatureCollection, with the page links as foreign members."""

    page_size = 200  # all of Hanoi's 126 wards on one page by default

    def get_paginated_response(self, data):
        return Response({"type": "FeatureCollection", "count": self.page.paginator.count,
                         "next": self.get_next_link(), "previous": self.get_previous_link(), "features": data})

    def get_paginated_response_schema(self, schema):
        page = super().get_paginated_response_schema(schema)
        page["properties"].pop("results")
        page["required"] = ["type", "count", "features"]
        page["properties"] = {"type": {"type": "string", "enum": ["FeatureCollection"]}, **page["properties"],
                              "features": schema}
        return page
