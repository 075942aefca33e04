from rest_framework.routers import DefaultRouter

from greentech.deals.api import views

router = DefaultRouter()
router.register("deals", views.DealViewSet)
router.register("payments", views.PaymentViewSet)
router.register("contracts", views.ContractViewSet)
router.register("matchmaking-events", views.MatchmakingEventViewSet)
router.register("event-participants", views.EventParticipantViewSet)
router.register("market-statistics", views.MarketStatisticsViewSet, basename="market-statistics")
urlpatterns = router.urls
