app_name = "patents"
urlpatterns = []
