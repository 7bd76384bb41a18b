"""URLs of the publicity clerk's pages (issue 7): the queue, a publication side by side with
its actions, and the publicity rules."""

from zhifa.web.views import disclosure

urlpatterns = [
    *disclosure.urlpatterns,  # /disclosure/, /disclosure/<id>/ …, /disclosure/policies/
]
