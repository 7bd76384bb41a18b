"""The review models in the admin are read-only: the lists and the detail pages show, and
nothing can be added, changed or deleted there (the services own every change)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.cases.factories import open_case
from tests.reviews.factories import ReviewAgency
from tests.reviews.test_selectors import decided, review_rows, submitted
from zhifa.orgs.models import AccountRole, User
from zhifa.reviews.models import (
    CollectiveDiscussion,
    Conclusion,
    DiscussionAttendee,
    DiscussionReason,
    DiscussionState,
    ExtensionState,
    Outcome,
    Position,
    RequestState,
    ReviewDetermination,
    ReviewExtension,
    ReviewRequest,
    ReviewRound,
)

pytestmark = pytest.mark.django_db

D = dt.date
MODELS = ("reviewdetermination", "reviewrequest", "reviewround", "reviewextension",
          "collectivediscussion")


@pytest.fixture
def admin(db: None) -> Client:
    user = User.objects.create_superuser(username="root", password="Zhifa-test-2026",
                                         roles=[AccountRole.SYSTEM_ADMIN])
    client = Client()
    client.force_login(user)
    return client


def rows(a: ReviewAgency) -> dict[str, Any]:
    case = open_case(a, received_on=D(2026, 9, 1))
    determination = ReviewDetermination.objects.create(
        case=case, required=True,
        reasons=[{"code": "major_public_interest", "kind": "statutory", "params": {}}])
    request = review_rows(case, RequestState.CONTESTED,
                          decided(D(2026, 10, 2), D(2026, 10, 1), Outcome.DO_NOT_DECIDE,
                                  a.reviewer),
                          submitted(D(2026, 11, 30), a.reviewer))
    first, second = request.rounds.order_by("number")
    extension = ReviewExtension.objects.create(round=first, days=3, reason="案情复杂",
                                               state=ExtensionState.APPROVED,
                                               requested_by=a.u_reviewer, decided_by=a.u_head)
    discussion = CollectiveDiscussion.objects.create(
        case=case, request=request, round=first, reason=DiscussionReason.CONTESTED,
        state=DiscussionState.HELD, grounds="处罚过重", held_on=D(2026, 10, 5),
        presided_by=a.head, conclusion=Conclusion.PROPOSAL, conclusion_text="按拟处理意见作出决定")
    for person in (a.head, a.head2):
        DiscussionAttendee.objects.create(discussion=discussion, person=person,
                                          position=Position.PROPOSAL, view="同意")
    return {"reviewdetermination": determination, "reviewrequest": request,
            "reviewround": first, "reviewextension": extension,
            "collectivediscussion": discussion, "second": second}


def snapshot() -> dict[str, list[dict[str, object]]]:
    return {m.__name__: list(m.objects.order_by("pk").values())
            for m in (ReviewDetermination, ReviewRequest, ReviewRound, ReviewExtension,
                      CollectiveDiscussion, DiscussionAttendee)}


def test_lists_and_details_show(admin: Client, a: ReviewAgency) -> None:
    objs = rows(a)
    for model in MODELS:
        response = admin.get(f"/admin/reviews/{model}/")
        assert response.status_code == 200, model
        assert f"/admin/reviews/{model}/add/" not in response.content.decode(), model
        assert 'value="delete_selected"' not in response.content.decode(), model
        obj = objs[model]
        response = admin.get(f"/admin/reviews/{model}/{obj.pk}/change/")
        assert response.status_code == 200, model
    page = admin.get(f"/admin/reviews/reviewrequest/{objs['reviewrequest'].pk}/change/")
    text = page.content.decode()
    assert "刘静" in text and "2026年11月30日" in text  # the rounds, inline
    page = admin.get(f"/admin/reviews/collectivediscussion/"
                     f"{objs['collectivediscussion'].pk}/change/")
    assert "赵刚" in page.content.decode()  # the attendees, inline
    # no save button on a read-only page
    assert 'name="_save"' not in text


def test_nothing_is_added_changed_or_deleted(admin: Client, a: ReviewAgency) -> None:
    objs = rows(a)
    before = snapshot()
    for model in MODELS:
        assert admin.get(f"/admin/reviews/{model}/add/").status_code == 403, model
        assert admin.post(f"/admin/reviews/{model}/add/", {}).status_code == 403, model
        pk = objs[model].pk
        assert admin.post(f"/admin/reviews/{model}/{pk}/change/",
                          {"state": "passed", "required": ""}).status_code == 403, model
        assert admin.get(f"/admin/reviews/{model}/{pk}/delete/").status_code == 403, model
        assert admin.post(f"/admin/reviews/{model}/{pk}/delete/",
                          {"post": "yes"}).status_code == 403, model
        response = admin.post(f"/admin/reviews/{model}/", {
            "action": "delete_selected", "_selected_action": [str(pk)], "post": "yes"})
        assert response.status_code == 200, model  # the list again: the action is not offered
    assert snapshot() == before
