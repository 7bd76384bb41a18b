from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from zhifa.api.root import api
from zhifa.portal.views.verify import document_code

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("transfer/", include("zhifa.transfer.urls")),
    path("portal/", include("zhifa.portal.urls")),
    # The verification page of an issued document: the address its QR code holds (portal).
    path("v/<str:code>", document_code, name="document_verify"),
    path("v/<str:code>/", document_code),
    path("", include("zhifa.web.urls")),
]

admin.site.site_header = settings.SITE_TITLE
admin.site.site_title = settings.SITE_TITLE
