from rest_framework.routers import DefaultRouter

from greentech.roadmap.api import views

router = DefaultRouter()
router.register("plans", views.PlanViewSet)
router.register("deliverables", views.DeliverableViewSet)
router.register("progress-reports", views.ProgressReportViewSet)
urlpatterns = router.urls
