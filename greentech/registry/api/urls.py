from rest_framework.routers import DefaultRouter

from greentech.registry.api import views

router = DefaultRouter()
router.register("regions", views.RegionViewSet)
router.register("departments", views.DepartmentViewSet)
router.register("organizations", views.OrganizationViewSet)
router.register("people", views.PersonViewSet)
router.register("platforms", views.PlatformViewSet)
router.register("platform-members", views.PlatformMemberViewSet)
router.register("credit-records", views.CreditRecordViewSet)
urlpatterns = router.urls
