from django.urls import path

from . import views

app_name = "transfer"
urlpatterns = [
    path("", views.index, name="index"),
    path("confirm", views.confirm, name="confirm"),
    path("error-reports/<str:token>.xlsx", views.error_report, name="error_report"),
    path("templates/<str:kind>.<str:fmt>", views.template_download, name="template"),
    path("exports/<str:kind>.<str:fmt>", views.export_download, name="export"),
]
