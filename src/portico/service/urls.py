from django.urls import path

from . import views

app_name = "service"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_excel, name="export_excel"),
    path("new/", views.request_new, name="new"),
    path("<str:request_number>/", views.request_detail, name="detail"),
    path("<str:request_number>/comment/", views.request_comment, name="comment"),
    path("<str:request_number>/attachments/", views.request_upload, name="upload"),
    path(
        "<str:request_number>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "<str:request_number>/recommendations/<int:recommendation_id>/respond/",
        views.recommendation_respond,
        name="respond",
    ),
    path("<str:request_number>/watch/", views.request_watch, name="watch"),
    path("<str:request_number>/cancel/", views.request_cancel, name="cancel"),
    path("<str:request_number>/reopen/", views.request_reopen, name="reopen"),
]
