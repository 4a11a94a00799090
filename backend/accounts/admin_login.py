"""/admin/login/ under the same sign-in limits as the API: Django's own login page, with each POST
counted (sign_in_limits) and refused with 429 past a limit."""

from django.contrib import admin
from django.http import HttpResponse
from django.utils.html import escape
from django.views.decorators.cache import never_cache

from backend.accounts import sign_in_limits

REFUSED = """<!doctype html><title>Too many sign-ins</title>
<h1>Too many failed sign-ins</h1><p>{sentence}</p>"""


@never_cache
def admin_login(request, extra_context=None):
    if request.method != "POST":
        return admin.site.login(request, extra_context)
    try:
        attempt = sign_in_limits.begin(request, request.POST.get("username"))
    except sign_in_limits.TooManySignIns as refused:
        response = HttpResponse(REFUSED.format(sentence=escape(str(refused))), status=429)
        response["Retry-After"] = str(refused.wait_seconds)
        return response
    response = admin.site.login(request, extra_context)
    if response.status_code == 302 and request.user.is_authenticated and request.user.is_staff:
        attempt.succeeded()
    return response
