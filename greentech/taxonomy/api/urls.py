from rest_framework.routers import DefaultRouter

from greentech.taxonomy.api import views

router = DefaultRouter()
router.register("schemes", views.SchemeViewSet)
router.register("categories", views.CategoryViewSet)
router.register("code-patterns", views.CodePatternViewSet)
urlpatterns = router.urls
