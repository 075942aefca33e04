from django.urls import path

from greentech.inbox.views import InboxView

app_name = "inbox"
urlpatterns = [path("", InboxView.as_view(), name="inbox")]
