from django.urls import path

from greentech.classification.views import ClassifyPageView

app_name = "classification"
urlpatterns = [path("", ClassifyPageView.as_view(), name="classify")]
