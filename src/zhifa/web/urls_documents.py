"""URLs of the document pages (issue 5), one module per part. The public verification page
``/v/<code>`` is the portal's (``zhifa.portal.views.verify``, mounted in ``zhifa.urls`` as
``document_verify``)."""

from zhifa.web.views import documents, documents_admin

urlpatterns = [
    *documents.urlpatterns,         # /cases/<id>/documents/ … drafts, issue, downloads, service
    *documents_admin.urlpatterns,   # /documents/templates/, /documents/settings/
]
