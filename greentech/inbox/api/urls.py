from rest_framework.routers import DefaultRouter

from greentech.inbox.api.views import NotificationViewSet

router = DefaultRouter()
router.register("notifications", NotificationViewSet)
urlpatterns = router.urls
