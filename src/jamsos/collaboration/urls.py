
app_name = "collaboration"

urlpatterns: list = []
