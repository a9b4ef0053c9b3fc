from django.urls import path

from . import views

app_name = "assets"
urlpatterns = [
    path("sites/", views.sites, name="sites"),
    path("sites/<int:site_id>/", views.site_equipment, name="site"),
    path("assets/", views.asset_list, name="list"),
    path("assets/export.csv", views.asset_export_csv, name="export_csv"),
    path("assets/export.xlsx", views.asset_export_xlsx, name="export_xlsx"),
    path("assets/new/", views.asset_new, name="new"),
    path("assets/<int:asset_id>/", views.asset_detail, name="detail"),
]
