"""Uploaded documents (evidence of progress, offer attachments): what may be uploaded, and serving a file only
to those who may view the row it belongs to.

Uploads live under MEDIA_ROOT but are never served from /media/ in production: every download goes through
`serve(request, queryset, pk, field)`, which asks the one permission mechanism first.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from greentech.core.permissions import Action

# documents people attach to reports and offers; no executables, archives or HTML (stored XSS)
ALLOWED_EXTENSIONS = (
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "odt",
    "ods",
    "txt",
    "csv",
    "png",
    "jpg",
    "jpeg",
)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

# the first bytes of the binary kinds, so a renamed executable is refused
_SIGNATURES = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
    "ppt": (b"\xd0\xcf\x11\xe0",),
}


def validate_document(upload) -> None:
    """Refuse a file of a kind not allowed, one too large, or one whose content does not match its name."""
    if upload is None or not getattr(upload, "name", ""):
        return
    extension = PurePath(upload.name).suffix.lower().lstrip(".")
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Files of type “%(ext)s” cannot be uploaded; allowed: %(allowed)s."),
            params={"ext": extension or "?", "allowed": ", ".join(ALLOWED_EXTENSIONS)},
            code="file_type",
        )
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB."),
            params={"size": round(upload.size / 1048576, 1), "limit": MAX_UPLOAD_BYTES // 1048576},
            code="file_size",
        )
    signatures = _SIGNATURES.get(extension)
    if signatures:
        position = upload.tell() if hasattr(upload, "tell") else 0
        upload.seek(0)
        head = upload.read(8)
        upload.seek(position)
        if not any(head.startswith(signature) for signature in signatures):
            raise ValidationError(
                _("The file's content is not a %(ext)s document."), params={"ext": extension}, code="file_content"
            )


def serve(request, queryset, pk, field: str, *, action: str = Action.VIEW):
    """Send the file in `field` of the row `pk` if the user may view that row; 404 otherwise (existence of the
    row is not disclosed)."""
    obj = get_object_or_404(queryset.restrict(request.user, action), pk=pk)
    document = getattr(obj, field)
    if not document:
        raise Http404
    try:
        handle = document.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    name = PurePath(document.name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
