"""Segmentation into title, body, boilerplate and reader comments."""

from narrascope.analysers.segmenter import segment, title_line
from narrascope.document import Document

ARTICLE = """Kyiv is a "junta", says commentator

The commentator repeated on air that the government in Kyiv is illegitimate and run by radicals.

Note to readers: Please click the share button above. Follow us on Instagram and Twitter and subscribe to our Telegram channel.

He added that the West will soon tire of paying for the war.

Copyright © Example Media 2024. Fair use notice: this site contains copyrighted material.

12 Comments

John says: great article, the media lie to us.

Reply

Maria: I disagree, this is propaganda.
"""


def kinds(doc):
    return [(s.label, doc.quote(s)[:25]) for s in segment(doc)]


def test_title_body_boilerplate_and_comment_thread():
    doc = Document(ARTICLE, meta={"title_in_text": True})
    labels = [label for label, _ in kinds(doc)]
    # one segment per comment: the "12 Comments" header and the "Reply" line are thread chrome, not comments
    assert labels == ["title", "body", "boilerplate", "body", "boilerplate", "boilerplate", "comment", "boilerplate",
                      "comment"]
    spans = segment(doc)
    assert doc.quote(spans[0]) == 'Kyiv is a "junta", says commentator'
    assert doc.quote(spans[-1]) == "Maria: I disagree, this is propaganda."


def test_long_paragraph_mentioning_subscribers_stays_body():
    body = "Subscribers of the channel " + "discussed the war at length and " * 30 + "nothing else."
    doc = Document("Title\n\n" + body, meta={"title_in_text": True})
    assert [s.label for s in segment(doc)] == ["title", "body"]


def test_content_segments_exclude_boilerplate_and_comments_by_default():
    doc = Document(ARTICLE, meta={"title_in_text": True})
    doc.add_spans("segments", segment(doc))
    assert "share button" not in doc.content_text()
    assert "propaganda" not in doc.content_text()
    assert "propaganda" in doc.content_text(include_comments=True)


def test_windows_line_endings_split_into_the_same_blocks():
    doc = Document(ARTICLE.replace("\n", "\r\n"), meta={"title_in_text": True})
    assert [s.label for s in segment(doc)] == ["title", "body", "boilerplate", "body", "boilerplate", "boilerplate",
                                               "comment", "boilerplate", "comment"]
    assert all(not doc.quote(s).endswith("\r") for s in segment(doc))


def test_a_trailing_promo_is_cut_off_its_paragraph():
    text = "Title\n\nThe ministry approved the delivery of six trucks on Friday. Read all the latest news here. Follow us on X."
    doc = Document(text, meta={"title_in_text": True})
    assert kinds(doc) == [("title", "Title"), ("body", "The ministry approved the"), ("boilerplate", "Read all the latest news ")]
    assert doc.quote(segment(doc)[1]).endswith("on Friday.")


def test_a_weak_cue_in_a_reported_sentence_stays_body_but_not_in_a_notice():
    reported = "The claim first appeared in the analyst's weekly newsletter, which quoted two unnamed officials."
    doc = Document("Title\n\n" + reported + "\n\nNewsletter: every Friday.\n\nGet our newsletter in your inbox.",
                   meta={"title_in_text": True})
    assert [label for label, _ in kinds(doc)] == ["title", "body", "boilerplate", "boilerplate"]


def test_an_appeal_to_the_reader_is_boilerplate_as_a_whole():
    appeal = ("At this outlet we fight for the truth. But we need your help. Subscribe to the channel today. "
              "And share this video with your friends.")
    doc = Document("Title\n\n" + appeal, meta={"title_in_text": True})
    assert [label for label, _ in kinds(doc)] == ["title", "boilerplate"]


NUMBERED_THREAD = """Talks stall again

The delegations met for three hours on Tuesday and agreed only to meet again.

— Anna Kovalenko, Kyiv


  1. I believe the talks are theatre. Nobody in the room
    wants peace, they want time to rearm.

  2. You are missing the point: the sanctions are working
    and everyone at the table knows it.
  3. Thanks for the report, we never hear this side of it.
"""


def test_a_numbered_thread_after_the_sign_off_is_one_comment_per_item():
    doc = Document(NUMBERED_THREAD, meta={"title_in_text": True})
    spans = segment(doc)
    assert [s.label for s in spans] == ["title", "body", "body", "comment", "comment", "comment"]
    assert doc.quote(spans[3]).startswith("1. I believe") and doc.quote(spans[3]).endswith("to rearm.")
    assert doc.quote(spans[5]) == "3. Thanks for the report, we never hear this side of it."


def test_numbered_lists_of_the_article_stay_body():
    unindented = "Title\n\nThe plan has three points.\n\n1. I think the first point is a ceasefire.\n2. We then talk."
    introduced = "Title\n\nThe demands are these:\n\n  1. We want a ceasefire.\n  2. You withdraw the troops."
    third_person = "Title\n\nThe report ends.\n\n  1. Sanctions on the banks.\n  2. A ban on oil imports."
    middle = "Title\n\nIntro.\n\n  1. I think so.\n  2. You agree.\n\nThe article goes on after its list, as articles do."
    for text in (unindented, introduced, third_person, middle):
        assert "comment" not in [s.label for s in segment(Document(text, meta={"title_in_text": True}))], text


def test_reply_and_timestamp_lines_mark_a_thread_without_header():
    text = ("Title\n\nThe article body, reported in the third person.\n\n"
            "olga_k\n3 hours ago\nThis is exactly what they want us to think.\nReply · Like · Report\n\n"
            "Pete\n2 hours ago\nGood piece.\nMore of this please.\nReply · Like · Report\n")
    doc = Document(text, meta={"title_in_text": True})
    comments = [doc.quote(s) for s in segment(doc) if s.label == "comment"]
    assert comments == ["olga_k\n3 hours ago\nThis is exactly what they want us to think.",
                        "Pete\n2 hours ago\nGood piece.\nMore of this please."]


def test_quoted_tweets_in_the_article_are_not_a_thread():
    text = ("Title\n\nThe minister wrote on X:\n\nWe will not give up an inch.\n— Jane Doe (@janedoe) March 12, 2024\n\n"
            "Critics answered within the hour.\n\nShame on you.\n— John Roe (@jroe) March 12, 2024\n\n"
            "1,234 Retweets 5,678 Likes\n\nThe debate continued the next day.")
    assert "comment" not in [s.label for s in segment(Document(text, meta={"title_in_text": True}))]


def test_a_byline_or_dateline_first_line_is_not_the_title():
    for first in ("Jane Doe, independent analyst", "By John Smith", "Author: Ivan Petrov", "12 March 2024",
                  "MOSCOW, March 12 (Reuters) -", "Published: March 12, 2024 at 10:15 am"):
        doc = Document(f"{first}\n\nSanctions bite harder\n\nThe body of the article.", meta={"title_in_text": True})
        spans = segment(doc)
        assert [(s.label, doc.quote(s)) for s in spans[:2]] == [("boilerplate", first), ("title", "Sanctions bite harder")]
        assert title_line(doc.text) == (spans[1].start, spans[1].end)


def test_after_a_byline_a_paragraph_is_not_a_title_and_ordinary_first_lines_stay_titles():
    paragraph = "The body of the article runs on and on. " * 10
    doc = Document(f"By John Smith\n\n{paragraph}", meta={"title_in_text": True})
    assert [s.label for s in segment(doc)] == ["boilerplate", "body"]
    assert title_line(doc.text) is None
    for title in ("By 2030, Europe will freeze in the dark", "Putin, Xi meet in Beijing",
                  "ISLAMABAD, May 25 (Xinhua) -- Pakistan will learn from China", "March of the farmers"):
        assert title_line(f"{title}\n\nBody.") == (0, len(title)), title


def test_reply_lines_of_their_own_close_the_comment_above_them():
    text = ("Title\n\nThe article body.\n\nJohn says:\nGreat article.\n\nReply\n\nI disagree with John, this is wrong.\n\n"
            "Reply\n\nMaria said that it was fine.\n\nReply")
    doc = Document(text, meta={"title_in_text": True})
    assert [(s.label, doc.quote(s)) for s in segment(doc)][1:] == [
        ("body", "The article body."), ("comment", "John says:\nGreat article."), ("boilerplate", "Reply"),
        ("comment", "I disagree with John, this is wrong."), ("boilerplate", "Reply"),
        ("comment", "Maria said that it was fine."), ("boilerplate", "Reply")]


def test_a_comment_reporting_speech_stays_one_comment_per_block_after_a_header():
    text = "Title\n\nBody.\n\nComments\n\nPutin said that the war would end.\n\nNonsense, nobody believes that."
    doc = Document(text, meta={"title_in_text": True})
    assert [s.label for s in segment(doc)] == ["title", "body", "boilerplate", "comment", "comment"]


def test_a_title_case_headline_naming_a_role_is_still_the_title():
    for title in ("Gina Haspel, New CIA Director", "Jane Doe, Senior Analyst, Quits the Ministry"):
        assert title_line(f"{title}\n\nPresident Donald Trump nominated her on Tuesday.") == (0, len(title)), title
    assert title_line("By John Smith\n\nPresident Donald Trump nominated her on Tuesday.\n\nMore.") is None
