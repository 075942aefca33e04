from rest_framework.routers import DefaultRouter

from greentech.market.api import views

router = DefaultRouter()
router.register("offers", views.OfferViewSet)
router.register("needs", views.NeedViewSet)
urlpatterns = router.urls
