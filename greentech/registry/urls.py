from django.urls import path

from greentech.registry import views

app_name = "registry"
urlpatterns = [
    path("organizations/", views.OrganizationListView.as_view(), name="organization_list"),
    path("organizations/new/", views.OrganizationFormView.as_view(), name="organization_add"),
    path("organizations/<int:pk>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.OrganizationFormView.as_view(), name="organization_edit"),
    path("organizations/<int:pk>/history/", views.OrganizationHistoryView.as_view(), name="organization_history"),
    path("platforms/", views.PlatformListView.as_view(), name="platform_list"),
    path("platforms/<int:pk>/", views.PlatformDetailView.as_view(), name="platform_detail"),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("regions/", views.RegionListView.as_view(), name="region_list"),
    path("regions/<int:pk>/", views.RegionDetailView.as_view(), name="region_detail"),
    path("departments/", views.DepartmentListView.as_view(), name="department_list"),
]
