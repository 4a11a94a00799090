"""Every answer under /api/ is JSON, errors included: `{"detail": sentence}`.

DRF answers its own views' errors in JSON (config.exceptions), but Django answers what happens
around them: a path that matches no endpoint (404), a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413), a
failed CSRF check (403), a bad Host header (400), an exception a view did not expect (500). Those were
HTML pages (the DEBUG ones with a stack trace). The middleware turns view exceptions into JSON and
rewrites any error that is still HTML on the way out; the handlers serve the same sentences when
Django itself answers (DEBUG off). Pages outside /api/ keep Django's answers."""

import logging

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, JsonResponse
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure

from backend.core.errors import Unavailable

API_PREFIX = "/api/"
logger = logging.getLogger("django.request")

SENTENCES = {
    400: "the request could not be read",
    401: "sign in first: send a token (Authorization: Token <key>) or a session cookie",
    403: "you may not do this",
    404: "nothing here",
    405: "this method is not allowed here",
    413: "the request body is over the size limit",
    415: "this content type is not accepted here",
    429: "too many requests; wait and try again",
    500: "the server failed to answer this request; the error was logged",
    502: "a service behind the server did not answer",
    503: "a service the server needs is not available; try again shortly",
}


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_error(status: int, detail: str | None = None) -> JsonResponse:
    return JsonResponse({"detail": detail or SENTENCES.get(status, f"HTTP {status}")}, status=status)


def _is_json(response) -> bool:
    content_type = response.get("Content-Type", "")
    return content_type.startswith(("application/json", "application/problem+json"))


def _for_exception(request, exception) -> JsonResponse:
    """The JSON answer to an exception raised while answering an /api/ request."""
    if isinstance(exception, RequestDataTooBig):
        return json_error(413, f"the request body is over the size limit: {exception}")
    if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        return json_error(400, str(exception))
    if isinstance(exception, Http404):
        return json_error(404, f"no API endpoint or object at {request.path_info}")
    if isinstance(exception, PermissionDenied):
        return json_error(403)
    if isinstance(exception, SuspiciousOperation):
        return json_error(400)
    if isinstance(exception, Unavailable):
        return json_error(503, str(exception))
    logger.error("Internal Server Error: %s", request.path, exc_info=exception, extra={"request": request})
    return json_error(500)


class ApiJsonErrorsMiddleware:
    """First in MIDDLEWARE: its response pass sees every answer, its exception hook every view's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_api(request) and response.status_code >= 400 and not _is_json(response):
            answer = json_error(response.status_code, _sentence(request, response.status_code))
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    answer[header] = response[header]
            return answer
        return response

    def process_exception(self, request, exception):
        return _for_exception(request, exception) if is_api(request) else None


def _sentence(request, status: int) -> str:
    if status == 404:
        return f"no API endpoint at {request.path_info}"
    if status == 405:
        return f"{request.method} is not allowed at {request.path_info}"
    return SENTENCES.get(status, f"HTTP {status}")


# Django's handlers (urls.handler400 ...), used when DEBUG is off.
def bad_request(request, exception):
    if is_api(request):
        return _for_exception(request, exception)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    return json_error(403) if is_api(request) else defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    return json_error(404, _sentence(request, 404)) if is_api(request) else defaults.page_not_found(request, exception)


def server_error(request):
    return json_error(500) if is_api(request) else defaults.server_error(request)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the reason in JSON for the API (the browser app shows it)."""
    if is_api(request):
        return json_error(403, f"CSRF check failed: {reason}; reload the page and try again")
    return django_csrf_failure(request, reason=reason)
