from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from zhifa.api.root import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("transfer/", include("zhifa.transfer.urls")),
    path("portal/", include("zhifa.portal.urls")),
    path("", include("zhifa.web.urls")),
]

admin.site.site_header = settings.SITE_TITLE
admin.site.site_title = settings.SITE_TITLE
