"""Hostile comments stay inert in Chromium, with and without the site's CSP.

Every payload goes into every field a reader controls. The article page runs
under a strict Content-Security-Policy that would block inline script anyway, so
the same HTML (the list fragment, the JSON a post returns, the form page that
echoes a refused post) is also loaded with `page.set_content`, where no CSP
applies: only our escaping stands between the payload and the browser there.
"""

import itertools

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from masthead.comments.exceptions import CommentRejected
from masthead.comments.models import Comment
from masthead.comments.tests.fixtures import aged_form_token, post_comment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Each one tries to set window.__xss (a global from an event handler or script)
# and to open a dialog. At most 80 characters, so that each fits the name field.
PAYLOADS = [
    "<script>__xss=1;alert(1)</script>",
    "<img src=x onerror=__xss=1;alert(1)>",
    '"><svg onload=__xss=1;alert(1)>',
    "'><details open ontoggle=__xss=1;alert(1)>",
    "javascript:__xss=1;alert(1)",
    "jav&#x09;ascript:__xss=1;alert(1)",
    "java\tscript:__xss=1;alert(1)",
    "&lt;script&gt;__xss=1;alert(1)&lt;/script&gt;",
    "\\u003cscript\\u003e__xss=1;alert(1)\\u003c/script\\u003e",
    "\uff1cscript\uff1e__xss=1;alert(1)\uff1c/script\uff1e",
    '<a href="javascript:__xss=1;alert(1)">x</a>',
    '<iframe srcdoc="<script>parent.__xss=1;alert(1)</script>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss=1;alert(1)>",
    "data:text/html,<script>__xss=1;alert(1)</script>",
    '<p style="background:url(javascript:__xss=1)">css</p>',
    "{{ 7*7 }}{% debug %}${7*7}<%= 7*7 %>",
    'https://example.org/"onmouseover="__xss=1;alert(1)',
    "https://example.org/'onfocus='__xss=1' autofocus='",
    "</textarea><script>__xss=1;alert(1)</script>",
    "www.example.org/<img/src/onerror=__xss=1>",
]
# Addresses are never shown; these are the ones validate_email lets through.
HOSTILE_EMAILS = [
    '"<script>__xss=1</script>"@never-shown.example',
    '"<img src=x onerror=__xss=1>"@never-shown.example',
    "x+onmouseover=__xss=1@never-shown.example",
]
EMAIL_MARK = "never-shown"

# Everything found in the DOM that should not be there, as readable strings.
# `all_links`: also check the site's own links (only meaningful on a real URL,
# since relative links resolve to about:blank under set_content).
FINDINGS_JS = """
(allLinks) => {
  const found = [];
  const root = document.querySelector('.comments') || document.documentElement;
  for (const el of [root, ...root.querySelectorAll('*')]) {
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith('on')) {
        found.push(`${a.name} on <${el.tagName}>: ${el.outerHTML.slice(0, 120)}`);
      }
    }
  }
  const allowed = ['P', 'BR', 'A'];
  for (const el of root.querySelectorAll(
      '.comment__body *, .comment__author *, .comment__mention *')) {
    if (!allowed.includes(el.tagName)) found.push(`<${el.tagName}> in a comment`);
    if (el.hasAttribute('style')) found.push(`style= on <${el.tagName}>`);
  }
  for (const a of root.querySelectorAll('.comment__body a, .comment__author a')) {
    if (!/^https?:$/.test(a.protocol)) found.push(`link to ${a.href}`);
    const rel = (a.getAttribute('rel') || '').split(/\\s+/);
    for (const word of ['nofollow', 'ugc', 'noopener']) {
      if (!rel.includes(word)) found.push(`rel without ${word}: ${a.outerHTML}`);
    }
  }
  if (allLinks) {
    for (const a of root.querySelectorAll('a[href]')) {
      if (!/^https?:$/.test(a.protocol)) found.push(`link to ${a.href}`);
    }
  }
  return found;
}
"""

_cases = itertools.count(1)

# Not a script risk, but a reader's words changed: render_body links URLs after
# escaping, so a quote ending a URL (&quot; or &#x27;) loses its ';' to the
# trailing-punctuation strip; the link then points at '...&quot' (a '"' in the
# address) and a stray ';' follows it.
ALTERED = "comment text must show as written (rendering.render_body, _link)"


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def open_comments(settings, publish_at_once):
    """Comments publish at once, and neither rate limits nor the typing timer refuse."""
    settings.MASTHEAD_COMMENTS_RATE_PER_IP = (10000, 60)
    settings.MASTHEAD_COMMENTS_RATE_PER_EMAIL = (10000, 60)
    settings.MASTHEAD_COMMENTS_MIN_SECONDS = 0
    return settings


@pytest.fixture
def dialogs(page: Page):
    """Messages of every alert/confirm/prompt the page opens (each dismissed)."""
    opened: list[str] = []

    def record(dialog):
        opened.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", record)
    return opened


@pytest.fixture
def hostile_thread(article, open_comments):
    """Every payload as a name, a website and a body, stored through the service."""
    names, bodies, websites, refused_websites = [], [], [], []
    for payload in PAYLOADS:
        n = next(_cases)
        named = post_comment(
            article,
            f"Name case {n}.",
            name=payload,
            email=f"name{n}@{EMAIL_MARK}.example",
        )
        names.append(named)
        # The body case answers the name case, so replies render hostile data too.
        bodies.append(
            post_comment(
                article,
                f"Body case {n}: {payload}",
                name=f"Body Case {n}",
                email=f"body{n}@{EMAIL_MARK}.example",
                parent_id=named.pk,
            )
        )
        try:
            websites.append(
                post_comment(
                    article,
                    f"Website case {n}.",
                    name=f"Website Case {n}",
                    email=f"site{n}@{EMAIL_MARK}.example",
                    url=payload,
                )
            )
        except CommentRejected as exc:
            assert set(exc.errors) == {"url"}, exc.errors
            refused_websites.append(payload)
    # At the deepest level a reply sits beside its target and names it:
    # "@<hostile name>".
    parent = names[2]
    for depth in (1, 2, 3):
        parent = post_comment(
            article,
            f"Deep reply {depth}.",
            name=PAYLOADS[2] if depth == 3 else f"Deep {depth}",
            email=f"deep{depth}@{EMAIL_MARK}.example",
            parent_id=parent.pk,
        )
    mention = post_comment(
        article,
        "Deepest reply, beside its parent.",
        name="Deepest",
        email=f"deepest@{EMAIL_MARK}.example",
        parent_id=parent.pk,
    )
    assert mention.reply_to_id != mention.parent_id
    for email in HOSTILE_EMAILS:
        try:
            post_comment(
                article, f"Email case {next(_cases)}.", name="Email Case", email=email
            )
        except CommentRejected as exc:
            assert set(exc.errors) == {"email"}, exc.errors
    return {
        "names": names,
        "bodies": bodies,
        "websites": websites,
        "refused_websites": refused_websites,
    }


def _assert_inert_without_csp(page: Page, dialogs: list[str], html: str, what: str):
    """Load `html` with no CSP at all and check that nothing in it ran."""
    page.set_content(html)
    links = page.locator(".comment__body a, .comment__author a")
    for n in range(links.count()):
        links.nth(n).hover(timeout=2000)
        links.nth(n).focus()
    assert dialogs == [], f"{what}: a dialog opened: {dialogs}"
    assert page.evaluate("() => window.__xss") is None, f"{what}: a payload ran"
    assert page.evaluate(FINDINGS_JS, False) == [], what
    assert EMAIL_MARK not in html, f"{what} shows an email address"


def test_hostile_comments_render_inert_on_the_article_page(
    page: Page, live_server, article, hostile_thread, dialogs
):
    page.goto(live_server.url + article.url)
    comments = page.locator(".comments .comment")
    expect(comments).to_have_count(Comment.objects.filter(status="approved").count())

    for comment, payload in zip(hostile_thread["names"], PAYLOADS, strict=True):
        author = page.locator(f"#comment-{comment.pk} .comment__author").first
        assert _flat(author.inner_text()) == _flat(payload)
    altered = []
    for comment, payload in zip(hostile_thread["bodies"], PAYLOADS, strict=True):
        body = page.locator(f"#comment-{comment.pk} .comment__body").first
        if _flat(payload) not in _flat(body.inner_text()):
            altered.append((payload, body.inner_text()))
    assert "{{ 7*7 }}" in page.locator(".comments").inner_text()
    expect(page.locator(".comment__mention")).to_have_text(f"@{_flat(PAYLOADS[2])}")
    # Websites that pass validation (http(s) with odd paths) become author links.
    assert hostile_thread["websites"], "no hostile website was stored at all"
    for comment in hostile_thread["websites"]:
        link = page.locator(f"#comment-{comment.pk} .comment__author a")
        expect(link).to_have_attribute("href", comment.author_url)

    # Readers point at and follow things: hover every link, open every reply.
    links = page.locator(".comments__list a")
    for n in range(links.count()):
        links.nth(n).hover(timeout=2000)
    replies = page.locator(".comment__reply")
    for n in range(replies.count()):
        replies.nth(n).click()
        expect(page.locator("[data-replying]")).to_be_visible()

    assert dialogs == []
    assert page.evaluate("() => window.__xss") is None
    assert page.evaluate(FINDINGS_JS, True) == []
    assert EMAIL_MARK not in page.content()
    assert not altered, f"{ALTERED}: {altered}"


def test_hostile_comment_list_is_inert_even_without_csp(
    page: Page, client, article, hostile_thread, dialogs
):
    response = client.get(reverse("comments:list", args=[article.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "Body case" in html
    wrapped = (
        f'<section class="comments"><div class="comments__list">{html}</div></section>'
    )

    _assert_inert_without_csp(page, dialogs, wrapped, "the comment list fragment")
    expected = Comment.objects.filter(status="approved").count()
    expect(page.locator(".comment")).to_have_count(expected)


def test_hostile_posts_are_inert_in_the_json_html_and_the_refused_form_page(
    page: Page, client, article, open_comments, dialogs
):
    url = reverse("comments:post", args=[article.pk])
    altered = []
    for payload in PAYLOADS:
        n = next(_cases)
        form = {
            "body": f"Posted case {n}: {payload}",
            "name": payload,
            "email": f"posted{n}@{EMAIL_MARK}.example",
            "url": payload,
            "parent": "",
            "homepage": "",
            "token": aged_form_token(article),
        }
        response = client.post(url, form, HTTP_ACCEPT="application/json")
        data = response.json()
        if not data["ok"]:
            assert set(data["errors"]) == {"url"}, data["errors"]
            form.update(url="", token=aged_form_token(article))
            data = client.post(url, form, HTTP_ACCEPT="application/json").json()
        assert data["ok"], data
        # What comments.js puts into the page with innerHTML after a post.
        _assert_inert_without_csp(
            page,
            dialogs,
            f'<section class="comments"><ol class="comment-list">{data["html"]}</ol>'
            "</section>",
            f"JSON html for {payload!r}",
        )
        shown = page.locator(".comment__body").inner_text()
        if _flat(payload) not in _flat(shown):
            altered.append((payload, shown))

        # Without JavaScript a refused post comes back with every field filled in.
        refused = client.post(
            url, {**form, "url": payload, "homepage": payload, "token": "x"}
        )
        assert refused.status_code == 400
        page_html = refused.content.decode()
        page.set_content(page_html)
        assert dialogs == [], f"the refused form page for {payload!r} opened a dialog"
        assert page.evaluate("() => window.__xss") is None, payload
        assert page.evaluate(FINDINGS_JS, False) == [], payload
        expect(page.locator("#comment-body")).to_have_value(form["body"])
        expect(page.locator("#comment-name")).to_have_value(payload)
        expect(page.locator("#comment-url")).to_have_value(payload)
    assert not altered, f"{ALTERED}: {altered}"


def test_hostile_comments_sent_through_the_browser_form_stay_inert(
    page: Page, live_server, article, open_comments, dialogs
):
    page.goto(live_server.url + article.url)
    form = page.locator("[data-comment-form]")
    status = form.locator("[data-form-status]")
    url_error = form.locator("#comment-url-error")
    chosen = [PAYLOADS[1], PAYLOADS[2], PAYLOADS[12], PAYLOADS[16]]
    for n, payload in enumerate(chosen):
        form.locator("#comment-body").fill(f"Form case {n}: {payload}")
        form.locator("#comment-name").fill(payload)
        form.locator("#comment-email").fill(f"form{n}@{EMAIL_MARK}.example")
        form.locator("#comment-url").fill(payload)
        form.get_by_role("button", name="Post Comment").click()
        expect(
            form.locator(
                "[data-form-status]:not([hidden]), #comment-url-error:not([hidden])"
            )
        ).to_be_visible()
        if url_error.is_visible():
            form.locator("#comment-url").fill("")
            form.get_by_role("button", name="Post Comment").click()
        expect(status).to_have_text("Thank you. Your comment is published.")
        expect(page.locator(".comments__list .comment")).to_have_count(n + 1)

    assert Comment.objects.count() == len(chosen)
    for reload in (False, True):
        if reload:
            page.reload()
            expect(page.locator(".comments__list .comment")).to_have_count(len(chosen))
        links = page.locator(".comments__list a")
        for n in range(links.count()):
            links.nth(n).hover(timeout=2000)
        assert dialogs == []
        assert page.evaluate("() => window.__xss") is None
        assert page.evaluate(FINDINGS_JS, True) == []
        assert EMAIL_MARK not in page.content()


def test_the_inertness_check_notices_a_payload_that_runs(page: Page, dialogs):
    """Proof that the checks above would see a live payload, were one to get through."""
    page.set_content(
        '<section class="comments"><div class="comment__body">'
        "<img src=x onerror=__xss=1;alert(1)></div></section>"
    )
    expect(page.locator("img")).to_have_count(1)
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__xss") == 1
    assert dialogs == ["alert: 1"]
    assert page.evaluate(FINDINGS_JS, False)
