from rest_framework.routers import DefaultRouter

from greentech.patents.api import views

router = DefaultRouter()
router.register("patents", views.PatentViewSet)
router.register("patent-transfers", views.PatentTransferViewSet)
urlpatterns = router.urls
