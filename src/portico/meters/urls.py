from django.urls import path

from . import api, views

app_name = "meters"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:site_id>/", views.site_grid, name="site"),
    path("asset/<int:asset_id>/", views.asset_grid, name="asset"),
    path("meter/<int:meter_id>/", views.history, name="history"),
    path("meter/<int:meter_id>/chart.svg", views.history_svg, name="history_svg"),
    path("api/readings", api.ingest_readings, name="api_readings"),
]
