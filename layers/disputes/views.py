from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie

from layers.access import policy
from layers.common.maps import INLINE_MAP_POLICY
from layers.disputes.apps import LAYER
from layers.disputes.models import DisputeCase
from layers.disputes.report import case_report_context


@login_required
@csp_update(INLINE_MAP_POLICY)
def case_report(request, pk: int):
    """The printable report of one case (the browser prints it or saves it as PDF)."""
    if not policy.can_read(request, LAYER):
        return HttpResponseForbidden()
    case = get_object_or_404(policy.visible(request, LAYER, DisputeCase.objects.all()), pk=pk)
    return render(request, "disputes/report.html", case_report_context(case))


@ensure_csrf_cookie
@login_required
def field_page(request):
    """The field officers' phone page; it works offline once loaded (service worker)."""
    texts = {
        "needPoint": _("Record at least one position first."),
        "saved": _("Visit saved on this phone; it will be sent when there is a signal."),
        "noGps": _("No position from the phone: %s"),
        "accuracy": _("Position ±%s m"),
        "rejected": _("Refused by the server: %s"),
        "conflict": _("Conflict: the case changed after this visit was recorded."),
        "synced": _("Synced"),
    }
    return render(request, "disputes/field.html", {"texts": texts})


def field_service_worker(request):
    """The service worker, served under /field/ so that its scope covers the page."""
    response = render(request, "disputes/sw.js", content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response
