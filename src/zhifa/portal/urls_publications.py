"""Published decisions, their proofs, withdrawals and the verify page. Record addresses take
any text (not ``<uuid:…>``): a malformed id must get the same portal 404 as an unknown one.
``/v/<code>`` (the QR code's address on printed documents) is mounted at the site's root in
``zhifa.urls``."""

from django.urls import path

from .views import publications, verify

urlpatterns = [
    path("publications/", publications.search, name="search"),
    path("publications/<str:public_id>/", publications.publication, name="publication"),
    path("publications/<str:public_id>/proof.json", publications.publication_proof_json,
         name="publication_proof"),
    path("withdrawals/", publications.withdrawals, name="withdrawals"),
    path("verify/", verify.verify, name="verify"),
]
