from django.urls import path

from greentech.classification.api.views import ClassifyView

urlpatterns = [path("classify/", ClassifyView.as_view(), name="classify")]
