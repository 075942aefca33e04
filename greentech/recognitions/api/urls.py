from rest_framework.routers import DefaultRouter

from greentech.recognitions.api.views import RecognitionViewSet

router = DefaultRouter()
router.register("recognitions", RecognitionViewSet)
urlpatterns = router.urls
