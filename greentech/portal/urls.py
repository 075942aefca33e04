from django.urls import path

from greentech.portal.views import HomeView

app_name = "portal"
urlpatterns = [
    path("", HomeView.as_view(), name="home"),
]
