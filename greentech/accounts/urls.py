from django.urls import path

from greentech.accounts import views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.SignUpView.as_view(), name="account_add"),
    path("me/", views.AccountDetailView.as_view(), name="account_detail"),
    path("terms/", views.TermsView.as_view(), name="terms"),
    path("terms/accept/", views.TermsAcceptView.as_view(), name="terms_accept"),
]
