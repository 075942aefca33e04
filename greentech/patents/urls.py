from django.urls import path

from greentech.patents import views

app_name = "patents"
urlpatterns = [
    path("", views.PatentSearchView.as_view(), name="patent_list"),
    path("export/", views.export, name="export"),
    path("analytics/", views.PatentAnalyticsView.as_view(), name="analytics"),
    path("<int:pk>/", views.PatentDetailView.as_view(), name="patent_detail"),
    path("<int:pk>/history/", views.PatentHistoryView.as_view(), name="patent_history"),
]
