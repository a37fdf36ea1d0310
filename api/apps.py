from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "HTTP API"

    def ready(self) -> None:
        from django.urls import register_converter

        from api import schema  # noqa: F401  # registers the OpenAPI authentication extension
        from api.converters import IdConverter

        # <id:...> in every area's routes, whichever URL module is imported first.
        register_converter(IdConverter, "id")
