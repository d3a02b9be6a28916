"""Views of the responses app, one module per concern; each module has its own `urlpatterns`."""
