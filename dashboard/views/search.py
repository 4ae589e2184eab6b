"""Search from the header: a results page (no JavaScript needed) whose results partial htmx asks for as you type."""

from __future__ import annotations

from django.http import HttpResponse

from dashboard.selectors.search import MIN_QUERY_LENGTH, RESULTS_PER_KIND, clean_query, search
from dashboard.tables import HtmxHttpRequest, render_list

#: The partial the header's box and the page's own form swap in.
RESULTS_PARTIAL = "search-results"


def search_page(request: HtmxHttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q"))
    if request.htmx and not query:
        # The box was emptied (Escape in a search field clears it and fires "search"): no results, no hint.
        return HttpResponse("")
    context = {
        "results": search(query, staff=request.user.is_staff),
        "min_length": MIN_QUERY_LENGTH,
        "per_kind": RESULTS_PER_KIND,
    }
    return render_list(request, "dashboard/search.html", context, partial=RESULTS_PARTIAL)
