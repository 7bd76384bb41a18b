"""Open data: the page describing the datasets, the CSV and 双公示 exports, the Atom feed."""

from django.urls import path

from .views import opendata

urlpatterns = [
    path("open/", opendata.open_data, name="open_data"),
    path("open/publications.csv", opendata.publications_csv, name="publications_csv"),
    path("open/credit-penalties.csv", opendata.credit_csv, name="credit_csv"),
    path("open/credit-penalties.xlsx", opendata.credit_xlsx, name="credit_xlsx"),
    path("feeds/publications.atom", opendata.feed, name="feed"),
]
