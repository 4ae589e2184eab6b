"""Storage pages: the arrays and their pools, one array, one pool."""

from django.http import Http404


def storage_list(request):
    raise Http404("Not built yet.")


def array_detail(request, array):
    raise Http404("Not built yet.")


def pool_detail(request, array, pool):
    raise Http404("Not built yet.")
