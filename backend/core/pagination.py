"""Page numbers read as strictly as any other query value: `?page=²` or `?page=١` is a 400 that
names `page` (Django's paginator took the second as page 1), a page past the end stays DRF's 404."""

from rest_framework.pagination import PageNumberPagination

from backend.core.params import parse_int


class StrictPageNumberPagination(PageNumberPagination):
    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw == "" or raw in self.last_page_strings:
            return super().get_page_number(request, paginator)
        return parse_int(raw, self.page_query_param, minimum=1, what="a page number")
