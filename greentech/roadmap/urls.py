from django.urls import path

from greentech.roadmap import views

app_name = "roadmap"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("map/liaoning-cities.geojson", views.city_map, name="city_map"),
    path("plans/<slug:slug>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<slug:slug>/dashboard/", views.DashboardView.as_view(), name="plan_dashboard"),
    path("plans/<slug:slug>/evaluation/", views.EvaluationView.as_view(), name="plan_evaluation"),
    path("reports/<int:pk>/evidence/", views.report_evidence, name="report_evidence"),
    path("deliverables/<int:pk>/", views.DeliverableDetailView.as_view(), name="deliverable_detail"),
]
