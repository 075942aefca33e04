from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from greentech.accounts.views import SignInView
from greentech.core import health
from greentech.core.api_root import api_root, me

api_patterns = [
    path("", api_root, name="api-root"),
    path("me/", me, name="api-me"),
    path("", include("greentech.registry.api.urls")),
    path("", include("greentech.taxonomy.api.urls")),
    path("", include("greentech.recognitions.api.urls")),
    path("", include("greentech.inbox.api.urls")),
    path("", include("greentech.classification.api.urls")),
    path("", include("greentech.roadmap.api.urls")),
    path("", include("greentech.market.api.urls")),
    path("", include("greentech.deals.api.urls")),
    path("", include("greentech.patents.api.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("accounts/login/", SignInView.as_view(), name="login"),  # Django's LoginView behind the attempt limits
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("greentech.accounts.urls")),
    path("", include("greentech.portal.urls")),
    path("", include("greentech.registry.urls")),
    path("taxonomy/", include("greentech.taxonomy.urls")),
    path("", include("greentech.recognitions.urls")),
    path("inbox/", include("greentech.inbox.urls")),
    path("classify/", include("greentech.classification.urls")),
    path("roadmap/", include("greentech.roadmap.urls")),
    path("market/", include("greentech.market.urls")),
    path("deals/", include("greentech.deals.urls")),
    path("patents/", include("greentech.patents.urls")),
]
# Uploaded files are never served from MEDIA_URL: each download goes through core.files.serve, which asks the
# permission mechanism (evidence of progress, offer attachments).
