from django.urls import path

from greentech.taxonomy import views

app_name = "taxonomy"
urlpatterns = [
    path("", views.SchemeListView.as_view(), name="scheme_list"),
    path("schemes/<slug:slug>/", views.SchemeTreeView.as_view(), name="scheme_detail"),
    path("categories/<int:pk>/", views.CategoryDetailView.as_view(), name="category_detail"),
]
