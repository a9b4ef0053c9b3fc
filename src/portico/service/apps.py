from django.apps import AppConfig


class ServiceConfig(AppConfig):
    verbose_name = "Service requests"
    name = "portico.service"
    label = "service"

    def ready(self) -> None:
        # Contribute to the equipment pages: the machine's timeline (E6) and the
        # "last service request" column of the equipment list (E2).
        from portico.assets.hooks import last_service_request_provider
        from portico.assets.timeline import timeline_provider

        from .hooks import asset_timeline_events, last_request_summaries

        timeline_provider(asset_timeline_events)
        last_service_request_provider(last_request_summaries)
