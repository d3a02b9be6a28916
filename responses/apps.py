from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "responses"
    verbose_name = "Responses"

    def ready(self) -> None:
        # Receivers: a person's language is remembered at login.
        from .people import language  # noqa: F401
