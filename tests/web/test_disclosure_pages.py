"""The publicity clerk's pages (行政执法公示) as each role sees them: the queue in its buckets
with deadlines, late markers, filters and counts; the side-by-side page with every masked
span of the original highlighted and named, the public record, the period and the deadline;
the actions by state (mask, approve, withhold; withdraw, end early) through plain POSTs and
HTMX; every refusal drawn again with the input kept and the service's message, changing
nothing (the publication's row, its search entry, every state and the ledger's size); a
supervisor reads and cannot act; an officer without PUBLISH is refused; another body's
publication is "not found"."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from tests.cases.factories import Agency, agency
from tests.disclosure.factories import publication_row
from tests.disclosure.pipeline_factories import (
    PERSON_ADDRESS,
    PERSON_PHONE,
    clerk,
    issued_decision,
    person,
    published,
    snapshot,
)
from zhifa.disclosure.fields import KEYS
from zhifa.disclosure.models import Category, Publication, State
from zhifa.disclosure.staff_selectors import due_soon_limit, mask_kind_label
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"
FACTS = (f"经查，当事人陈小明（电话{PERSON_PHONE}，住{PERSON_ADDRESS}）销售不合格电热水壶12台，"
         "证人王大力在场。")


@pytest.fixture
def a() -> Agency:
    return agency()


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user, backend=BACKEND)
    return client


def text(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style|svg|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def url(name: str, pub: Publication | None = None) -> str:
    return reverse(f"web:{name}", args=[pub.public_id] if pub is not None else [])


def zh(message: Any) -> str:
    with translation.override("zh-hans"):
        return str(message)


def section(html: str, ident: str) -> str:
    """The HTML of ``<section id="ident">`` (sections are not nested on these pages)."""
    match = re.search(rf'<section[^>]*id="{ident}".*?</section>', html, flags=re.S)
    assert match is not None, ident
    return match.group(0)


def ids_in(html: str) -> set[str]:
    return set(re.findall(r'data-publication="([0-9a-f-]{36})"', html))


def forms_in(html: str) -> set[str]:
    return set(re.findall(r'<form[^>]*id="([a-z]+-form)"', html))


HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "publication-page"}


# --- The queue --------------------------------------------------------------------------------
def test_queue_buckets_deadlines_late_marker_and_counts(client, a):
    today = timezone.localdate()
    soon = due_soon_limit(today)
    overdue = publication_row(a, state=State.DRAFT, decision_date=today - dt.timedelta(days=20))
    Publication.objects.filter(pk=overdue.pk).update(due_on=today - dt.timedelta(days=1))
    due_soon = publication_row(a, state=State.DRAFT)
    Publication.objects.filter(pk=due_soon.pk).update(due_on=soon)
    later = publication_row(a, state=State.DRAFT, category=Category.OTHER)
    Publication.objects.filter(pk=later.pk).update(due_on=soon + dt.timedelta(days=10))
    withheld = publication_row(a, state=State.WITHHELD)
    public = publication_row(a)
    withdrawn = publication_row(a, state=State.WITHDRAWN)
    elsewhere = publication_row(a, state=State.DRAFT, body=a.other_body)

    page = as_user(client, clerk(a)).get(url("publication_queue"))
    assert page.status_code == 200
    html = page.content.decode()
    expected = {"overdue": overdue, "due_soon": due_soon, "drafts": later,
                "withheld": withheld, "published": public, "closed": withdrawn}
    for key, pub in expected.items():
        assert ids_in(section(html, f"bucket-{key}")) == {str(pub.public_id)}, key
        assert re.search(rf'data-bucket="{key}">\s*<a [^>]*><span class="stat-value">1<', html)
    assert str(elsewhere.public_id) not in html
    # the due dates and the late marker: only the overdue one is late
    assert (today - dt.timedelta(days=1)).isoformat() in section(html, "bucket-overdue")
    assert soon.isoformat() in section(html, "bucket-due_soon")
    assert html.count("late-marker") == 1 and "late-marker" in section(html, "bucket-overdue")


def test_queue_filters_by_state_category_and_text(client, a):
    draft = publication_row(a, state=State.DRAFT, title="销售过期食品案")
    public = publication_row(a, title="无照经营案")
    other = publication_row(a, category=Category.LICENSING, title="食品经营许可")
    c = as_user(client, clerk(a))

    def shown(**params: str) -> set[str]:
        return ids_in(c.get(url("publication_queue"), params).content.decode())

    every = {str(p.public_id) for p in (draft, public, other)}
    assert shown() == every
    assert shown(state="published") == {str(public.public_id), str(other.public_id)}
    assert shown(category="licensing") == {str(other.public_id)}
    assert shown(q="过期食品") == {str(draft.public_id)}
    assert shown(q=public.decision_number) == {str(public.public_id)}
    assert shown(q=public.case.number) == {str(public.public_id)}
    # HTMX asks for the results only
    partial = c.get(url("publication_queue"), {"q": "无照"}, HTTP_HX_REQUEST="true",
                    HTTP_HX_TARGET="results")
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert ids_in(partial.content.decode()) == {str(public.public_id)}


def test_queue_scope_and_refusals(client, a):
    mine = publication_row(a, state=State.DRAFT)
    theirs = publication_row(a, state=State.DRAFT, body=a.other_body)
    supervisor = as_user(Client(), a.u_supervisor).get(url("publication_queue"))
    # the supervisor's region (the city) holds the agency's county, not the other city
    assert supervisor.status_code == 200
    assert ids_in(supervisor.content.decode()) == {str(mine.public_id)}
    head = as_user(Client(), a.u_head).get(url("publication_queue"))
    assert ids_in(head.content.decode()) == {str(mine.public_id)}
    other_clerk = as_user(Client(), clerk(a, body=a.other_body)).get(url("publication_queue"))
    assert ids_in(other_clerk.content.decode()) == {str(theirs.public_id)}
    assert as_user(Client(), a.u_sysadmin).get(url("publication_queue")).status_code == 200
    assert as_user(Client(), a.u_officer).get(url("publication_queue")).status_code == 403
    anonymous = Client().get(url("publication_queue"))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_nav_entry_for_clerks_heads_and_supervisors_only(client, a):
    target = f'href="{url("publication_queue")}"'
    for user, shown in ((clerk(a), True), (a.u_head, True), (a.u_supervisor, True),
                        (a.u_officer, False)):
        html = as_user(Client(), user).get(reverse("web:home")).content.decode()
        assert (target in html) is shown, user


# --- The side-by-side page --------------------------------------------------------------------
def test_side_by_side_highlights_every_masked_span_with_its_kind(client, a):
    pub = issued_decision(a, party=person(), facts=FACTS)
    assert pub.state == State.DRAFT
    page = as_user(client, clerk(a)).get(url("publication_detail", pub))
    assert page.status_code == 200
    html = page.content.decode()
    original = re.search(r'<div class="record record-original">.*?</dl>', html, re.S).group(0)
    public = re.search(r'<div class="record record-public">.*?</dl>', html, re.S).group(0)
    marks = re.findall(r'<mark class="mask mask-([a-z_]+)" data-kind="\1"[^>]*>(.*?)</mark>',
                       original)
    expected = [(m["kind"], unescape(pub.original[m["field"]][m["start"]:m["end"]]))
                for m in sorted(pub.masks, key=lambda m: (KEYS.index(m["field"]), m["start"]))]
    assert [(k, unescape(t)) for k, t in marks] == expected
    kinds = {m["kind"] for m in pub.masks}
    assert {"person_name", "phone", "address"} <= kinds
    with translation.override("zh-hans"):
        for kind in kinds:
            assert f'<sup class="mask-kind">{escape(mask_kind_label(kind))}</sup>' in original
    # every original field on the left, every public field on the right, as published
    for key, value in pub.original.items():
        assert f'data-field="{key}"' in original
        plain = re.sub(r'<sup class="mask-kind">.*?</sup>', "", original)
        assert value in unescape(re.sub(r"<[^>]+>", "", plain)), key
    for key, value in pub.public.items():
        assert unescape(value) in unescape(re.sub(r"<[^>]+>", "", public)), key
    assert PERSON_PHONE not in public and PERSON_ADDRESS not in public
    assert "陈小明" not in public and pub.public["party"] in public
    # the deadline and the period approval would give today
    body = text(page)
    assert pub.due_on.isoformat() in body
    today = timezone.localdate()
    assert f"{today.isoformat()} – " in body
    assert forms_in(html) == {"mask-form", "approve-form", "withhold-form"}
    assert 'name="late_reason"' not in html  # on time: no late reason asked
    # the ledger entry of the draft
    assert 'data-event="8001"' in section(html, "ledger")


def test_who_sees_what_on_the_page(client, a):
    pub = publication_row(a, state=State.DRAFT)
    head = as_user(Client(), a.u_head).get(url("publication_detail", pub))
    assert head.status_code == 200
    assert forms_in(head.content.decode()) == {"mask-form", "approve-form", "withhold-form"}
    sup = as_user(Client(), a.u_supervisor).get(url("publication_detail", pub))
    assert sup.status_code == 200
    assert forms_in(sup.content.decode()) == set()
    assert "<form" not in section(sup.content.decode(), "side-by-side")
    assert 'class="notice read-only"' in sup.content.decode()
    assert "/portal/" not in sup.content.decode()  # never published: no portal page
    assert as_user(Client(), a.u_officer).get(url("publication_detail", pub)).status_code == 403
    other = as_user(Client(), clerk(a, body=a.other_body))
    assert other.get(url("publication_detail", pub)).status_code == 404
    assert as_user(Client(), a.u_sysadmin).get(url("publication_detail", pub)).status_code == 200
    # a published one offers withdrawal and ending early; a withdrawn one nothing
    live = publication_row(a)
    html = as_user(Client(), clerk(a)).get(url("publication_detail", live)).content.decode()
    assert forms_in(html) == {"withdraw-form", "end-form"}
    gone = publication_row(a, state=State.WITHDRAWN)
    html = as_user(Client(), clerk(a)).get(url("publication_detail", gone)).content.decode()
    assert forms_in(html) == set()


# --- Actions ----------------------------------------------------------------------------------
def test_mask_more_terms_then_the_page_shows_them(client, a):
    pub = issued_decision(a, party=person(), facts=FACTS)
    c = as_user(client, clerk(a))
    response = c.post(url("publication_mask", pub), {"extra_terms": "王大力\n\n电热水壶\n王大力"})
    assert response.status_code == 302
    assert response["Location"] == url("publication_detail", pub) + "#side-by-side"
    pub.refresh_from_db()
    assert pub.extra_terms == ["王大力", "电热水壶"]
    assert "王大力" not in pub.public["facts"] and "电热水壶" not in pub.public["facts"]
    html = c.get(url("publication_detail", pub)).content.decode()
    original = section(html, "side-by-side")
    assert re.search(r'data-kind="(extra|third_party)"[^>]*>王大力</mark>', original)
    assert re.search(r'data-kind="extra"[^>]*>电热水壶</mark>', original)
    assert 'data-event="8002"' in section(html, "ledger")
    # with HTMX the page's body comes back at once, the terms in the form
    response = c.post(url("publication_mask", pub), {"extra_terms": "王大力"}, **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and body.lstrip().startswith('<div id="publication-page"')
    assert "王大力</textarea>" in body
    pub.refresh_from_db()
    assert pub.extra_terms == ["王大力"] and "电热水壶" in pub.public["facts"]


def test_approve_via_the_page(client, a):
    pub = issued_decision(a)
    c = as_user(client, clerk(a))
    before = LedgerEntry.objects.count()
    response = c.post(url("publication_approve", pub))
    assert response.status_code == 302 and response["Location"] == url("publication_detail", pub)
    pub.refresh_from_db()
    assert pub.state == State.PUBLISHED and pub.published_on == timezone.localdate()
    assert LedgerEntry.objects.count() == before + 1
    html = c.get(url("publication_detail", pub)).content.decode()
    assert pub.content_digest in html
    assert f'href="/portal/publications/{pub.public_id}/"' in html
    assert 'data-event="8003"' in section(html, "ledger")
    assert forms_in(html) == {"withdraw-form", "end-form"}


def test_late_approval_asks_a_reason_and_keeps_the_input(client, a):
    pub = issued_decision(a, decided_on=timezone.localdate() - dt.timedelta(days=40))
    c = as_user(client, clerk(a))
    html = c.get(url("publication_detail", pub)).content.decode()
    assert 'name="late_reason"' in html and "late-marker" in html
    before = snapshot(pub)
    refused = c.post(url("publication_approve", pub), {"late_reason": "  "})
    assert refused.status_code == 400
    assert snapshot(pub) == before
    with translation.override("zh-hans"):
        from django.utils.translation import gettext

        message = gettext("The publication was due on %(due)s: give the reason for "
                          "publishing late.") % {"due": pub.due_on.isoformat()}
    assert message in text(refused)
    assert 'class="field has-error" data-field="late_reason"' in refused.content.decode()
    # HTMX: the refusal comes as the page's body (200) with the message
    refused = c.post(url("publication_approve", pub), {"late_reason": ""}, **HX)
    assert refused.status_code == 200 and message in text(refused)
    assert snapshot(pub) == before
    done = c.post(url("publication_approve", pub), {"late_reason": "系统故障延误"}, **HX)
    assert done.status_code == 200
    pub.refresh_from_db()
    assert (pub.state, pub.late_reason) == (State.PUBLISHED, "系统故障延误")
    assert 'role="status"' in done.content.decode()


def test_withhold_refused_without_note_then_withheld(client, a):
    pub = issued_decision(a)
    c = as_user(client, clerk(a))
    before = snapshot(pub)
    refused = c.post(url("publication_withhold", pub), {"reason": "secret", "note": ""})
    assert refused.status_code == 400
    assert snapshot(pub) == before
    html = refused.content.decode()
    assert re.search(r'<option value="secret" selected>', html)  # the input kept
    assert 'class="field has-error" data-field="note"' in html
    response = c.post(url("publication_withhold", pub), {"reason": "secret",
                                                         "note": "涉及商业秘密"})
    assert response.status_code == 302
    pub.refresh_from_db()
    assert (pub.state, pub.withhold_reason, pub.withhold_note) == (
        State.WITHHELD, "secret", "涉及商业秘密")
    page = c.get(url("publication_detail", pub))
    assert forms_in(page.content.decode()) == set() and "涉及商业秘密" in text(page)


def test_withdraw_and_end_early_via_the_page(client, a):
    first = published(a)
    second = published(a)
    c = as_user(client, clerk(a))
    today = timezone.localdate()
    before = snapshot(first)
    refused = c.post(url("publication_withdraw", first),
                     {"kind": "", "reason": "决定已被撤销", "event_on": "not a date"})
    assert refused.status_code == 400
    assert snapshot(first) == before
    html = refused.content.decode()
    assert "决定已被撤销</textarea>" in html
    assert 'class="field has-error" data-field="kind"' in html
    assert 'class="field has-error" data-field="event_on"' in html
    response = c.post(url("publication_withdraw", first),
                      {"kind": "revoked", "reason": "该决定已被复议机关撤销。",
                       "event_on": today.isoformat()})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.state, first.withdrawal_kind, first.withdrawal_event_on) == (
        State.WITHDRAWN, "revoked", today)
    assert first.withdrawal_reason == "该决定已被复议机关撤销。"
    before = snapshot(second)
    refused = c.post(url("publication_end", second), {"reason": "", "ended_on": ""}, **HX)
    assert refused.status_code == 200 and "has-error" in refused.content.decode()
    assert snapshot(second) == before
    response = c.post(url("publication_end", second), {"reason": "当事人已完成信用修复"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.state, second.ended_on) == (State.ENDED, today)
    assert 'data-event="8006"' in section(c.get(url("publication_detail", second))
                                          .content.decode(), "ledger")


def test_denials_change_nothing(client, a):
    draft = issued_decision(a)
    live = published(a)
    other = clerk(a, body=a.other_body)
    posts = [
        (draft, "publication_mask", {"extra_terms": "电热水壶"}),
        (draft, "publication_approve", {"late_reason": "x"}),
        (draft, "publication_withhold", {"reason": "other", "note": "x"}),
        (live, "publication_withdraw", {"kind": "revoked", "reason": "撤销",
                                        "event_on": timezone.localdate().isoformat()}),
        (live, "publication_end", {"reason": "信用修复"}),
    ]
    for pub, name, data in posts:
        before = snapshot(pub)
        for user, status in ((a.u_supervisor, 403), (a.u_officer, 403), (other, 404)):
            response = as_user(Client(), user).post(url(name, pub), data)
            assert response.status_code == status, (name, user)
            assert snapshot(pub) == before, (name, user)
        anonymous = Client().post(url(name, pub), data)
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
        assert snapshot(pub) == before
    # the wrong state: a published record is not approved again, a draft not ended
    before = snapshot(live)
    wrong = as_user(Client(), clerk(a)).post(url("publication_approve", live))
    assert wrong.status_code == 409
    assert snapshot(live) == before
    # the form is not offered in this state: the message comes at the top of the page
    assert re.search(r'<div class="alert alert-error" role="alert"><p>[^<]+</p></div>',
                     wrong.content.decode())
    before = snapshot(draft)
    wrong = as_user(Client(), clerk(a)).post(url("publication_end", draft), {"reason": "x"})
    assert wrong.status_code == 409
    assert snapshot(draft) == before
    assert [p.state for p in Publication.objects.order_by("id")] == [State.DRAFT,
                                                                     State.PUBLISHED]


def test_the_queue_costs_the_same_queries_for_more_rows(client, a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = as_user(client, clerk(a))

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url("publication_queue")).status_code == 200
        return len(ctx.captured_queries)

    for state in (State.DRAFT, State.WITHHELD, State.PUBLISHED, State.ENDED):
        publication_row(a, state=state)
    few = queries()
    for state in (State.DRAFT, State.WITHHELD, State.PUBLISHED, State.ENDED) * 3:
        publication_row(a, state=state)
    assert queries() == few


def test_the_rules_page(client, a):
    from zhifa.disclosure.services import policy_create

    policy_create(actor=a.u_sysadmin, sector=a.market, publish_warnings=False, min_months=12)
    for user in (clerk(a), a.u_supervisor):
        page = as_user(Client(), user).get(url("publication_policies"))
        assert page.status_code == 200
        html = page.content.decode()
        assert re.findall(r'<section class="panel policy" data-sector="([a-z]*)"', html) == [
            "", "market"]
        assert "{%" not in html and "{#" not in html
    assert as_user(Client(), a.u_officer).get(url("publication_policies")).status_code == 403


# --- Warnings on a draft: possible names, stale masking, rules that now withhold -------------
def hint_forms(html: str) -> dict[str, str]:
    """name → the terms its one-click form posts."""
    return {name: unescape(terms) for name, terms in re.findall(
        r'<li data-name="([^"]+)">.*?name="extra_terms" value="([^"]*)"', html, flags=re.S)}


def test_possible_names_listed_and_masked_in_one_click(client, a):
    pub = issued_decision(a, party=person(), facts=FACTS + "其妻刘芳芳、员工张三称不知情。")
    c = as_user(client, clerk(a))
    html = c.get(url("publication_detail", pub)).content.decode()
    hints = section(html, "side-by-side")
    assert 'class="alert alert-info name-hints"' in hints
    assert hint_forms(hints) == {"王大力": "王大力", "刘芳芳": "刘芳芳", "张三": "张三"}
    assert "masking-stale" not in html and "must-withhold" not in html
    # one click: the name joins the clerk's terms (the mask form's service)
    response = c.post(url("publication_mask", pub), {"extra_terms": "王大力"}, **HX)
    assert response.status_code == 200
    pub.refresh_from_db()
    assert pub.extra_terms == ["王大力"] and "王大力" not in pub.public["facts"]
    assert hint_forms(response.content.decode()) == {"刘芳芳": "王大力\n刘芳芳",
                                                     "张三": "王大力\n张三"}
    # a supervisor sees the warning, not the buttons
    sup = as_user(Client(), a.u_supervisor).get(url("publication_detail", pub))
    assert "name-hints" in sup.content.decode() and hint_forms(sup.content.decode()) == {}
    assert "刘芳芳" in text(sup)
    # published: no more warnings
    Publication.objects.filter(pk=pub.pk).update(state=State.PUBLISHED)
    assert "name-hints" not in c.get(url("publication_detail", pub)).content.decode()


def test_stale_masking_notice_and_refresh(client, a):
    from zhifa.documents.models import ServiceRecord

    pub = issued_decision(a, party=person(), facts=FACTS)
    c = as_user(client, clerk(a))
    c.post(url("publication_mask", pub), {"extra_terms": "电热水壶"})
    assert "masking-stale" not in c.get(url("publication_detail", pub)).content.decode()
    ServiceRecord.objects.create(document=pub.document, method="left", recipient="陈小明",
                                 witness="王大力")
    html = c.get(url("publication_detail", pub)).content.decode()
    assert 'class="alert alert-error masking-stale"' in html
    refresh = re.search(r'data-action="refresh-masking".*?</form>', html, flags=re.S)
    assert refresh is not None
    assert 'name="extra_terms" value="电热水壶"' in refresh.group(0)
    # approval is refused, the page says why, nothing changed
    before = snapshot(pub)
    refused = c.post(url("publication_approve", pub), **HX)
    assert refused.status_code == 200 and snapshot(pub) == before
    with translation.override("zh-hans"):
        from django.utils.translation import gettext

        message = gettext("The masking rules, the terms or the case's data changed since this "
                          "draft was masked: refresh the masking, check the public record "
                          "again, then approve.")
    assert message in text(refused)
    # refreshed with the same terms: the witness is masked, the notice gone, approval works
    done = c.post(url("publication_mask", pub), {"extra_terms": "电热水壶"}, **HX)
    assert "masking-stale" not in done.content.decode()
    pub.refresh_from_db()
    assert pub.extra_terms == ["电热水壶"] and "王大力" not in pub.public["facts"]
    assert c.post(url("publication_approve", pub)).status_code == 302
    pub.refresh_from_db()
    assert pub.state == State.PUBLISHED


def test_must_withhold_notice(client, a):
    from zhifa.disclosure.models import DisclosurePolicy

    pub = issued_decision(a, kinds=["warning"], fine="")
    c = as_user(client, clerk(a))
    assert "must-withhold" not in c.get(url("publication_detail", pub)).content.decode()
    DisclosurePolicy.objects.create(sector=a.market, publish_warnings=False)
    html = c.get(url("publication_detail", pub)).content.decode()
    assert 'class="alert alert-error must-withhold"' in html
    before = snapshot(pub)
    refused = c.post(url("publication_approve", pub))
    assert refused.status_code == 409 and snapshot(pub) == before
    assert "must-withhold" in refused.content.decode()
