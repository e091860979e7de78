"""The review loop in a real headless Chromium: a reviewer corrects a narrative, an evidence sentence and an entity
role with the keyboard and single clicks; a re-analysis keeps the corrections; exports and the dashboard show them."""

from __future__ import annotations

import json
from datetime import date

import pytest

from narrascope.document import ENTITIES, NARRATIVES, SUBNARRATIVES, Document, Label, Span
from narrascope.server import create_app
from narrascope.store import Store
from tests.server.conftest import running_server
from tests.server.test_server_browser import CHROMIUM, page, shot  # noqa: F401 - the page fixture

WAR = "URW: Amplifying war-related fears"
WAR_SUB = "URW: Amplifying war-related fears: By continuing the war we risk WWIII"
CLIMATE = "CC: Amplifying Climate Fears"
TEXT = ("Leaders met in Brussels on Monday. Officials warned the war could spread to new countries. "
        "NATO made a terrible <b>decision</b>, critics said.")
FIRST, SECOND = (0, 34), (35, 90)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]


def analysed(version: str, war_score: float) -> Document:
    """The document as a model of ``version`` predicts it: the war narrative with the wrong sentence as evidence."""
    doc = Document(TEXT, id="review/me", title="Review me", source="daily.example", language="en",
                   published=date(2024, 2, 1))
    doc.cats[NARRATIVES] = [Label(WAR, war_score, [Span(*FIRST, "s")], {"display_threshold": 0.4})]
    doc.cats[SUBNARRATIVES] = [Label(WAR_SUB, 0.45, [Span(*FIRST, "s")], {"display_threshold": 0.4})]
    at = TEXT.index("NATO")
    doc.spans[ENTITIES] = [Span(at, at + 4, "Antagonist", 0.8, {"entity": "NATO", "entity_id": "NATO",
                                                                "fine_roles": {"Instigator": 0.7}})]
    made_by = {"analyser": "narratives", "version": version}
    doc.produced_by = {NARRATIVES: made_by, SUBNARRATIVES: made_by, ENTITIES: {"analyser": "entities", "version": version}}
    return doc


@pytest.fixture
def review_server(make_settings):
    settings = make_settings(reviewer="ana")
    with Store(settings.db_url) as store:
        store.save([analysed("1", 0.9)], pipeline_signature="v1")
    with running_server(create_app(settings)) as url:
        yield url, settings


def test_reviewer_corrects_narrative_evidence_and_role_and_they_survive_reanalysis(review_server, page, tmp_path):
    url, settings = review_server
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url + "/documents/review%2Fme")
    assert page.locator(".review-badge").inner_text() == "unreviewed"
    assert page.locator("#article").inner_text().count("<b>decision</b>") == 1  # the text stays text

    # Keyboard: j to the narrative, a to accept it; j to its sub-narrative, r to reject it (each one keystroke).
    page.keyboard.press("j")
    page.keyboard.press("a")
    page.wait_for_selector(f'li.narrative[data-label="{WAR}"] .review-tag.reviewed')
    page.keyboard.press("j")
    assert page.locator(".review-item.kbd-focus").get_attribute("data-label") == WAR_SUB
    page.keyboard.press("r")
    page.wait_for_selector(".rejected li")
    assert page.locator(".review-badge").inner_text() == "reviewed"

    # Evidence: mark the predicted sentence wrong, then pick the right one by clicking it in the text.
    page.locator(f'li.narrative[data-label="{WAR}"] details.evidence summary').click()
    page.locator(f'li.narrative[data-label="{WAR}"] button.wrong').click()
    page.wait_for_selector(f'li.narrative[data-label="{WAR}"] .evcount')
    page.locator(f'li.narrative[data-label="{WAR}"] button.pick').click()
    page.locator(f'#article .sent[data-start="{SECOND[0]}"]').first.click()
    page.wait_for_selector(f'#article mark.ev[data-label="{WAR}"]')
    assert page.locator(f'#article mark.ev[data-label="{WAR}"]').inner_text() == TEXT[slice(*SECOND)]

    # Entity role: one choice of main and fine role, one click.
    row = page.locator('tr.entity-row[data-entity="NATO"]')
    row.locator("select[name=role]").select_option("Innocent")
    row.locator("select[name=fine_role]").select_option("Victim")
    row.locator("button.set-role").click()
    page.wait_for_selector('tr.entity-row[data-entity="NATO"] .review-tag.reviewed')
    assert "Innocent" in page.locator('tr.entity-row[data-entity="NATO"]').inner_text()

    # Add a missing narrative from the taxonomy.
    page.locator("form.add-label select").select_option(CLIMATE)
    page.locator("form.add-label button").click()
    page.wait_for_selector(f'li.narrative[data-label="{CLIMATE}"]')
    shot(page, tmp_path, "reviewed")

    with Store(settings.db_url) as store:
        made = store.corrections(["review/me"])["review/me"]
        assert {(c.layer, c.action, c.reviewer) for c in made} == {
            ("narratives", "accept", "ana"), ("subnarratives", "reject", "ana"),
            ("evidence", "mark-evidence-wrong", "ana"), ("evidence", "pick-evidence", "ana"),
            ("entities", "set-role", "ana"), ("narratives", "add", "ana")}
        # A re-analysis by a new model version replaces the predictions, never the corrections.
        store.save([analysed("2", 0.95)], pipeline_signature="v2")
        assert len(store.corrections(["review/me"])["review/me"]) == 6

    page.reload()
    assert page.locator(".review-badge").inner_text() == "reviewed"
    assert page.locator(f'#article mark.ev[data-label="{WAR}"]').inner_text() == TEXT[slice(*SECOND)]
    assert page.locator(".rejected li").count() == 1
    assert "Innocent" in page.locator('tr.entity-row[data-entity="NATO"]').inner_text()

    exported = json.loads(page.request.get(url + "/api/export?format=jsonl").text().splitlines()[0])
    narratives = {lab["name"]: lab["attrs"]["review"] for lab in exported["cats"]["narratives"]}
    assert narratives == {WAR: "reviewed", CLIMATE: "reviewed"} and exported["cats"]["subnarratives"] == []
    assert exported["spans"]["entities"][0]["label"] == "Innocent"
    dashboard = page.request.get(url + "/api/stats/dashboard").json()
    assert {r["label"] for r in dashboard["narratives"]} == {WAR, CLIMATE}
    page.goto(url + "/")
    assert page.locator(f'a[href*="{CLIMATE.split(":")[0]}"]').count() >= 1
    assert not errors, errors


def test_review_queue_page_lists_documents_by_need(review_server, page):
    url, _ = review_server
    page.goto(url + "/review")
    rows = page.locator("table.review-queue tbody tr")
    assert rows.count() == 1
    assert "Review me" in rows.first.inner_text() and "unreviewed" in rows.first.inner_text()
    rows.first.locator("a").click()
    page.wait_for_url("**/documents/review%2Fme")
