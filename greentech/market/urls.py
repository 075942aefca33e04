from django.urls import path

from greentech.core.views import ObjectHistoryView
from greentech.market import match_views, views
from greentech.market.models import Need, Offer

app_name = "market"
urlpatterns = [
    path("", views.ListingListView.as_view(kind="offers"), name="home"),
    path("offers/", views.ListingListView.as_view(kind="offers"), name="offer_list"),
    path("offers/new/", views.ListingFormView.as_view(kind="offers"), name="offer_add"),
    path("offers/<int:pk>/", views.ListingDetailView.as_view(kind="offers"), name="offer_detail"),
    path("offers/<int:pk>/edit/", views.ListingFormView.as_view(kind="offers"), name="offer_edit"),
    path("offers/<int:pk>/history/", ObjectHistoryView.as_view(queryset=Offer.objects.all()), name="offer_history"),
    path("needs/<int:pk>/history/", ObjectHistoryView.as_view(queryset=Need.objects.all()), name="need_history"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("needs/", views.ListingListView.as_view(kind="needs"), name="need_list"),
    path("needs/new/", views.ListingFormView.as_view(kind="needs"), name="need_add"),
    path("needs/<int:pk>/", views.ListingDetailView.as_view(kind="needs"), name="need_detail"),
    path("needs/<int:pk>/edit/", views.ListingFormView.as_view(kind="needs"), name="need_edit"),
    path("mine/", views.MyListingsView.as_view(), name="mine"),
    path("matches/feedback/", match_views.match_feedback, name="match_feedback"),
]
