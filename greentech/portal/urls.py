from django.urls import path

from greentech.core import uploads
from greentech.portal.views import HomeView

app_name = "portal"
urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("imports/", uploads.ImportUploadView.as_view(), name="import_upload"),
    path("imports/<int:pk>/", uploads.import_detail, name="import_detail"),
    path("imports/templates/<slug:name>.xlsx", uploads.import_template, name="import_template"),
]
