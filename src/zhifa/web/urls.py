from django.urls import include, path

from .views import (
    accounts,
    auth,
    cases,
    cases_act,
    cases_new,
    catalog,
    certificates,
    home,
    registry,
)

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    path("", include("zhifa.web.urls_evidence")),  # issue 4
    path("", include("zhifa.web.urls_documents")),  # issue 5
    path("", include("zhifa.web.urls_reviews")),  # issue 6
    path("", include("zhifa.web.urls_disclosure")),  # issue 7: publications
    path("", include("zhifa.web.urls_disclosure_reports")),  # issue 7: annual reports
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("bodies/", registry.body_list, name="body_list"),
    path("bodies/<uuid:public_id>/", registry.body_detail, name="body_detail"),
    path("people/", registry.person_list, name="person_list"),
    path("people/<uuid:public_id>/", registry.person_detail, name="person_detail"),
    path("certificates/", certificates.certificate_list, name="certificate_list"),
    path("certificates/lookup/", home.certificate_lookup, name="certificate_lookup"),
    path("certificates/<uuid:public_id>/", certificates.certificate_detail,
         name="certificate_detail"),
    path("certificates/<uuid:public_id>/status/", certificates.certificate_status,
         name="certificate_status"),
    path("items/", catalog.item_list, name="item_list"),
    path("items/<uuid:public_id>/", catalog.item_detail, name="item_detail"),
    path("benchmarks/", catalog.benchmark_list, name="benchmark_list"),
    path("benchmarks/<uuid:public_id>/", catalog.benchmark_detail, name="benchmark_detail"),
    # Logins are addressed by their person: /accounts/<person public id>/...
    path("accounts/", accounts.account_list, name="account_list"),
    path("accounts/<uuid:person_id>/", accounts.account_manage, name="account_manage"),
    path("accounts/<uuid:person_id>/new/", accounts.account_new, name="account_new"),
    path("accounts/<uuid:person_id>/roles/", accounts.account_roles, name="account_roles"),
    path("accounts/<uuid:person_id>/password/", accounts.account_password,
         name="account_password"),
    path("accounts/<uuid:person_id>/disable/", accounts.account_disable,
         name="account_disable"),
    path("accounts/<uuid:person_id>/enable/", accounts.account_enable, name="account_enable"),
    # Cases (the ledger-backed case files) and the procedures they follow.
    path("cases/", cases.case_list, name="case_list"),
    path("cases/new/", cases_new.case_new, name="case_new"),
    path("cases/<uuid:public_id>/", cases.case_detail, name="case_detail"),
    path("cases/<uuid:public_id>/act/<slug:action>/", cases_act.case_action,
         name="case_action"),
    path("cases/<uuid:public_id>/approvals/<uuid:request_id>/decide/",
         cases_act.approval_decision, name="approval_decide"),
    path("cases/<uuid:public_id>/approvals/<uuid:request_id>/withdraw/",
         cases_act.approval_withdrawal, name="approval_withdraw"),
    path("procedures/", cases.procedure_list, name="procedure_list"),
    path("procedures/<slug:code>/", cases.procedure_detail, name="procedure_detail"),
]
