from django.http import HttpResponse
from django.shortcuts import render

from portico.core.access import PortalRequest, portal_view
from portico.core.rights import SIGNED_IN, Function, Right

HOME_SITES = 6


@portal_view(SIGNED_IN)
def home(request: PortalRequest) -> HttpResponse:
    """Greets the user and links to what their rights let them use (H1).

    Equipment customers land on their sites (E1): the first few with "Choose equipment",
    and the meter readings that are due.
    """
    scope = request.portal_scope
    context: dict[str, object] = {}
    if scope.can(Function.ASSETS, Right.VIEW):
        from portico.assets.views import sites_with_equipment_counts

        sites = list(sites_with_equipment_counts(scope)[: HOME_SITES + 1])
        context["sites"] = sites[:HOME_SITES]
        context["more_sites"] = len(sites) > HOME_SITES
    if scope.can(Function.METERS, Right.CREATE):
        from portico.meters.reminders import readings_due_for

        context["readings_due"] = readings_due_for(scope, limit=HOME_SITES)
    return render(request, "home/home.html", context)
