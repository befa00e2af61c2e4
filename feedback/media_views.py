"""Staff-only access to photo originals (with EXIF/GPS): /staff/cases/<code>/photos/<pk>/original/."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from . import private_media
from .staff_views import _case_or_404, staff_required


@require_GET
@staff_required
def photo_original(request, code: str, pk: int):
    case = _case_or_404(request.user, code)  # 404 for a case the user may not see
    photo = get_object_or_404(case.photos, pk=pk)
    if not photo.original:
        raise Http404("No original.")
    return private_media.original_response(photo)
