"""URLs of the legal review pages (issue 6)."""

from zhifa.web.views import reviews

urlpatterns = [
    *reviews.urlpatterns,  # /cases/<id>/review/ …, /reviews/ (the queue), /reviews/kpis/
]
