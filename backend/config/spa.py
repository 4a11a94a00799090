"""Serves the built browser app (frontend/dist/index.html) for every non-API path."""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

MISSING = """<!doctype html><title>Segmentation data engine</title>
<h1>The browser app is not built</h1><p>Run <code>make run</code> (it builds frontend/) or use the
<a href="/api/docs/">API</a> and the <a href="/admin/">admin</a>.</p>"""


@never_cache
@ensure_csrf_cookie  # the app's writes echo it (X-CSRFToken): it signs in with a session cookie
def spa_index(request):
    index = settings.FRONTEND_DIST / "index.html"
    if index.is_file():
        return HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    return HttpResponse(MISSING, content_type="text/html; charset=utf-8")
