"""Multipart parsing that refuses, rather than silently rewrites, file names that carry a path."""

from django.conf import settings
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, MultiPartParser

from backend.media.validation import MediaRejected, check_file_name


class _StrictNames(DjangoMultiPartParser):
    def sanitize_file_name(self, file_name):
        check_file_name(file_name)  # Django would strip the path part; we refuse the upload instead
        return super().sanitize_file_name(file_name)


class MediaMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {})["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data, files = _StrictNames(meta, stream, request.upload_handlers, encoding).parse()
        except MediaRejected as exc:
            raise ParseError(str(exc)) from exc
        except MultiPartParserError as exc:
            raise ParseError(f"Multipart form parse error - {exc}") from exc
        return DataAndFiles(data, files)
