from django.urls import path

from greentech.recognitions import views

app_name = "recognitions"
urlpatterns = [
    path("recognitions/", views.RecognitionListView.as_view(), name="recognition_list"),
    path("recognitions/<int:pk>/", views.RecognitionDetailView.as_view(), name="recognition_detail"),
]
