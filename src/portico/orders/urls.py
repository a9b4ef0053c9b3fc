from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("export.csv", views.order_export_csv, name="export_csv"),
    path("export.xlsx", views.order_export_xlsx, name="export_xlsx"),
    path("new/<int:asset_id>/", views.new_order, name="new"),
    path("new/<int:asset_id>/request-item/", views.request_item, name="request_item"),
    path("<str:number>/", views.order_detail, name="detail"),
]
