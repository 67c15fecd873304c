from django.shortcuts import render

from . import queries


def search(request):
    """The reader's search page: a form, then a page of matching stories."""
    query = queries.clean_query(request.GET.get("q", ""))
    context = {"query": query, "river_title": f"Search: {query}" if query else "Search"}
    if query:
        context["terms"] = queries.search_terms(query)
        stories = queries.search_articles(query, request.GET.get("page"))
        context["stories"] = stories
        # More stories match than the count says: only the newest are ranked.
        context["count_is_capped"] = stories.paginator.object_list.capped
    return render(request, "search/search.html", context)
