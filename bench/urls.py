"""The product's URLs plus one bench-only page: never part of config.urls."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns


def bare(request):
    """The yardstick: the full middleware stack, no application work, a fixed string."""
    return HttpResponse("Hello from a bare Django view.\n", content_type="text/plain")


urlpatterns = [*product_urlpatterns, path("bench/bare/", bare, name="bench_bare")]
