from django.urls import path
from rest_framework.routers import DefaultRouter

from greentech.market.api import matching, views

router = DefaultRouter()
router.register("offers", views.OfferViewSet)
router.register("needs", views.NeedViewSet)
router.register("match-feedback", matching.MatchFeedbackViewSet)
urlpatterns = [path("match/", matching.MatchView.as_view(), name="match"), *router.urls]
