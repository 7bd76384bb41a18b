from django.urls import path
from django.views.generic import RedirectView

app_name = "transfer"
# Placeholder until the import/export pages land; the navigation links to "transfer:index".
urlpatterns = [path("", RedirectView.as_view(url="/"), name="index")]
