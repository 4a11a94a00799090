from django.urls import path

from backend.core import converters  # noqa: F401  (registers the <id:...> converter)
from backend.work import apis

ACTIONS = {
    "complete": apis.CompleteApi,
    "skip": apis.SkipApi,
    "flag": apis.FlagApi,
    "unflag": apis.UnflagApi,
    "reopen": apis.ReopenApi,
}

urlpatterns = [
    path("projects/<id:project_id>/claims/", apis.ProjectClaimsApi.as_view(), name="project-claims"),
]
for kind in ("image", "video"):
    urlpatterns += [
        path(f"{kind}s/<id:item_id>/work/", apis.WorkStateApi.as_view(kind=kind), name=f"{kind}-work"),
        path(f"{kind}s/<id:item_id>/claim/", apis.ClaimApi.as_view(kind=kind), name=f"{kind}-claim"),
    ]
    urlpatterns += [
        path(
            f"{kind}s/<id:item_id>/{action}/",
            view.as_view(kind=kind),
            name=f"{kind}-{action}",
        )
        for action, view in ACTIONS.items()
    ]
