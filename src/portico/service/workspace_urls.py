"""The agents' workspace, served under /backoffice/workspace/ (staff only)."""

from django.urls import path

from . import workspace

app_name = "workspace"
urlpatterns = [
    path("", workspace.queue, name="queue"),
    path("<str:number>/", workspace.request_detail, name="request"),
    path("<str:number>/comment/", workspace.comment, name="comment"),
    path("<str:number>/state/", workspace.change_state, name="state"),
    path("<str:number>/assign/", workspace.assign, name="assign"),
    path("<str:number>/schedule/", workspace.schedule, name="schedule"),
    path("<str:number>/recommend/", workspace.recommend, name="recommend"),
    path("<str:number>/work/", workspace.log_work, name="work"),
    path("<str:number>/attachments/<int:pk>/", workspace.attachment, name="attachment"),
]

# The framework floor for `make bench`; never served unless PORTICO_BENCH=1.
if workspace.bench_enabled():
    urlpatterns.insert(0, path("bench/hello/", workspace.bench_hello, name="bench_hello"))
