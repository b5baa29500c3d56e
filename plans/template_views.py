"""The regional template of each year, for the centre: its page, its documents.

Only the centre's staff (`access.may_author_templates`) come here; a school or a
coordinator gets 403. The documents are drawn by the worker like a plan's
(plans/documents.py `template_document`).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from accounts import access

from . import documents
from .exports import file_response
from .models import DocumentStatus, SchoolYear


def _author(request) -> None:
    if not access.may_author_templates(request.user):
        raise PermissionDenied


@login_required
def template_list(request):
    """/templates/: every year's template, newest first."""
    _author(request)
    return render(request, "plans/templates/list.html", {"years": SchoolYear.objects.all()})


@login_required
def template_export(request, pk, fmt):
    """/templates/<pk>/export.docx|pdf: the regional примерный план of the year as it is now."""
    _author(request)
    year = get_object_or_404(SchoolYear, pk=pk)
    document = documents.template_document(year=year, fmt=fmt, by=request.user)
    if document.status == DocumentStatus.READY:
        documents.document_used(document)
        return file_response(document.file.open("rb"), document.filename)
    return redirect(document)
