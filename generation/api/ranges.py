"""Serving stored media with HTTP Range support (players seek; mobile clients resume)."""

import re

from django.core.files import File
from django.http import FileResponse, HttpResponse, StreamingHttpResponse

from core.errors import DomainError

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def _chunks(handle: File, start: int, length: int):  # type: ignore[no-untyped-def]
    handle.seek(start)
    remaining = length
    while remaining > 0:
        data = handle.read(min(CHUNK, remaining))
        if not data:
            break
        remaining -= len(data)
        yield data
    handle.close()


def ranged_file_response(file: File, *, content_type: str, range_header: str | None
                         ) -> HttpResponse | StreamingHttpResponse:
    size = file.size
    if not range_header:
        whole = FileResponse(file.open("rb"), content_type=content_type)
        whole["Accept-Ranges"] = "bytes"
        return whole
    match = _RANGE.match(range_header.strip())
    if not match or (not match.group(1) and not match.group(2)):
        raise DomainError("content.invalid_range", "Only one bytes range is supported.",
                          status_code=416)
    first, last = match.group(1), match.group(2)
    if first:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    else:
        start, end = max(size - int(last), 0), size - 1
    if start >= size or start > end:
        raise DomainError("content.range_not_satisfiable", f"The file has {size} bytes.",
                          status_code=416)
    length = end - start + 1
    response = StreamingHttpResponse(_chunks(file.open("rb"), start, length), status=206,
                                     content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    return response
