from django.urls import path

from greentech.core.views import ObjectHistoryView
from greentech.deals import views
from greentech.deals.models import Deal, MatchmakingEvent

app_name = "deals"
urlpatterns = [
    path("", views.DealListView.as_view(), name="deal_list"),
    path("<int:pk>/", views.DealDetailView.as_view(), name="deal_detail"),
    path("<int:pk>/history/", ObjectHistoryView.as_view(queryset=Deal.objects.all()), name="deal_history"),
    path("new/<int:offer>/", views.OpenDealView.as_view(), name="deal_add"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("events/", views.EventListView.as_view(), name="event_list"),
    path("events/new/", views.EventFormView.as_view(), name="event_add"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event_detail"),
    path("events/<int:pk>/edit/", views.EventFormView.as_view(), name="event_edit"),
    path(
        "events/<int:pk>/history/",
        ObjectHistoryView.as_view(queryset=MatchmakingEvent.objects.all()),
        name="event_history",
    ),
]
