from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from portico.core.access import portal_view, reachable_organisations, switch_organisation
from portico.core.rights import SIGNED_IN


@portal_view(SIGNED_IN)
def change_account(request: HttpRequest) -> HttpResponse:
    """'Change account': pick another organisation the user may act for (A5, B6)."""
    if request.method == "POST":
        try:
            organisation_id = int(request.POST.get("organisation", ""))
        except ValueError:
            organisation_id = 0
        organisation = switch_organisation(request, organisation_id)
        messages.success(request, f"You are now viewing {organisation.name}.")
        target = request.POST.get("next") or "/"
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = "/"
        return redirect(target)
    query = request.GET.get("q", "").strip()[:100]
    organisations = reachable_organisations(request.user).order_by("path")
    if query:
        organisations = organisations.filter(
            Q(name__icontains=query) | Q(customer_number__icontains=query)
        )
    return render(
        request,
        "customers/change_account.html",
        {"organisations": organisations[:50], "query": query},
    )
