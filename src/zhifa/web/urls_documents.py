"""URLs of the document pages (issue 5), one module per part."""

from zhifa.web.views import documents, documents_admin, documents_verify

urlpatterns = [
    *documents.urlpatterns,         # /cases/<id>/documents/ … drafts, issue, downloads, service
    *documents_admin.urlpatterns,   # /documents/templates/, /documents/settings/
    *documents_verify.urlpatterns,  # /v/<code> … the public verification page
]
