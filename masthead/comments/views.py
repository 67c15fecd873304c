"""Reader endpoints: the list fragment, the form token, posting, votes, own edits.

The article page is cached for everyone, so none of these rely on a session or
a CSRF cookie: a signed form token (fetched when the reader starts writing)
stands in for the CSRF token, and edit and voter tokens live in the browser.
"""

import math
import re
import time

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from masthead.core import ratelimit
from masthead.news.models import ArticlePage

from . import conf, services, tokens
from .choices import CommentStatus
from .exceptions import CommentRejected, EditNotAllowed, FormTokenError
from .fragments import comment_list_html, parse_sort
from .models import Comment, Thread
from .queries import Node


def article_or_404(page_id: int) -> ArticlePage:
    """A live article readers may see, or a 404."""
    page = ArticlePage.objects.live().public().filter(pk=page_id).first()
    if page is None:
        raise Http404("No such article.")
    return page


def wants_json(request) -> bool:
    """The page's script asked; a plain form post gets HTML."""
    return "application/json" in request.headers.get("Accept", "")


def reader_id(request) -> int | None:
    """The signed-in user's id, which form tokens are bound to; None for guests."""
    return request.user.pk if request.user.is_authenticated else None


@require_GET
@cache_control(public=True, max_age=10)
def comment_list(request, page_id: int):
    page = article_or_404(page_id)
    thread = Thread.objects.filter(page_id=page.pk).first()
    settings = services.settings_for(page)
    html = comment_list_html(
        page, parse_sort(request.GET.get("sort")), thread, settings
    )
    return HttpResponse(html)


@require_GET
@never_cache
def form_token(request, page_id: int):
    page = article_or_404(page_id)
    user = request.user if request.user.is_authenticated else None
    return JsonResponse(
        {
            "token": tokens.issue_form_token(page.pk, reader_id(request)),
            "voter": tokens.issue_voter_token(),
            "signed_in": user is not None,
            "name": (user.get_full_name() or user.get_username()) if user else "",
        }
    )


def seconds_left(window: int) -> int:
    """Seconds until the current fixed rate-limit window of that length ends.

    masthead.core.ratelimit counts in windows aligned on the epoch, so the end
    of the window is the same for every identity: what Retry-After should say.
    """
    return max(1, math.ceil(window - time.time() % window))


def too_many(response, window: int):
    """A 429 that says when to come back."""
    response["Retry-After"] = str(seconds_left(window))
    return response


def _refusing_window(request, email: str) -> int:
    """0 within the posting limits, else the length of the window that refuses."""
    per_ip = conf.get("MASTHEAD_COMMENTS_RATE_PER_IP")
    per_email = conf.get("MASTHEAD_COMMENTS_RATE_PER_EMAIL")
    if not ratelimit.hit("comments:post:ip", ratelimit.client_ip(request), *per_ip):
        return per_ip[1]
    email = email.strip().lower()
    if email and not ratelimit.hit("comments:post:email", email, *per_email):
        return per_email[1]
    return 0


# The id converter's pattern: ASCII digits only ("²" and "١٢" are digits to
# Python), and never past 64 bits.
PARENT_ID = re.compile(r"[0-9]{1,18}")


def _parent_id(value: str) -> int | None:
    """None for a top-level comment; CommentRejected for anything but an id."""
    value = value.strip()
    if not value:
        return None
    if not PARENT_ID.fullmatch(value):
        raise CommentRejected({"parent": services.PARENT_REFUSED})
    return int(value)


def _draft(request, page) -> services.CommentDraft:
    data = request.POST
    return services.CommentDraft(
        page_id=page.pk,
        body=data.get("body", ""),
        name=data.get("name", ""),
        email=data.get("email", ""),
        url=data.get("url", ""),
        parent_id=_parent_id(data.get("parent", "")),
        user=request.user if request.user.is_authenticated else None,
        ip=ratelimit.client_ip(request),
        user_agent=request.headers.get("User-Agent", "")[:300],
        notify_replies=bool(data.get("notify_replies")),
    )


@csrf_exempt  # the signed form token does CSRF's job; see the module docstring
@require_POST
@never_cache
def post(request, page_id: int):
    page = article_or_404(page_id)
    try:
        if request.POST.get("homepage"):
            raise CommentRejected({"homepage": "Please leave this field empty."})
        nonce = tokens.read_form_token(
            request.POST.get("token", ""), page.pk, reader_id(request)
        )
        if window := _refusing_window(request, request.POST.get("email", "")):
            message = (
                "You are commenting faster than we can keep up with. "
                "Please wait a minute and send again."
            )
            errors = {"__all__": message}
            return too_many(_rejected(request, page, errors, status=429), window)
        draft = _draft(request, page)
        comment, _created = services.post_comment(draft, submission_key=nonce)
    except FormTokenError as exc:
        return _rejected(request, page, {"__all__": exc.message})
    except CommentRejected as exc:
        return _rejected(request, page, exc.errors)
    return _received(request, page, comment)


def _rejected(request, page, errors: dict, status: int = 400):
    """The reader's text comes back with the messages and a fresh token."""
    fresh = tokens.issue_form_token(page.pk, reader_id(request))
    if wants_json(request):
        return JsonResponse(
            {"ok": False, "errors": errors, "token": fresh}, status=status
        )
    context = {
        "page": page,
        "errors": errors,
        "data": request.POST,
        "token": fresh,
        # A refused parent is dropped, so that sending again posts the text as a
        # new comment, as the message says.
        "parent": "" if "parent" in errors else request.POST.get("parent", ""),
    }
    return render(request, "comments/form_page.html", context, status=status)


def _received(request, page, comment: Comment):
    visible = comment.status == CommentStatus.APPROVED
    message = (
        "Thank you. Your comment is published."
        if visible
        else "Thank you. Your comment is awaiting moderation."
    )
    edit_token = tokens.issue_edit_token(comment)
    if wants_json(request):
        html = render_to_string(
            "comments/comment.html",
            {
                "node": Node(comment),
                "own_pending": not visible,
                "gravatar": conf.get("MASTHEAD_COMMENTS_GRAVATAR"),
            },
        )
        return JsonResponse(
            {
                "ok": True,
                "message": message,
                "comment_id": comment.pk,
                "parent_id": comment.parent_id,
                "visible": visible,
                "html": html,
                "edit_token": edit_token,
                "edit_seconds": conf.get("MASTHEAD_COMMENTS_EDIT_SECONDS"),
                # Each form token stores one comment; the next one needs its own.
                "token": tokens.issue_form_token(page.pk, reader_id(request)),
            }
        )
    context = {
        "page": page,
        "comment": comment,
        "message": message,
        "edit_token": edit_token,
    }
    return render(request, "comments/received.html", context)


@csrf_exempt  # votes are anonymous; the signed voter id and a rate limit guard them
@require_POST
def vote(request, comment_id: int):
    voter = tokens.voter_key(request.POST.get("voter", ""))
    value = {"up": 1, "down": -1}.get(request.POST.get("value", ""))
    if voter is None or value is None:
        return JsonResponse(
            {"ok": False, "error": "Please reload the page and vote again."}, status=400
        )
    per_ip = conf.get("MASTHEAD_COMMENTS_VOTE_RATE_PER_IP")
    if not ratelimit.hit("comments:vote:ip", ratelimit.client_ip(request), *per_ip):
        return too_many(
            JsonResponse(
                {"ok": False, "error": "Too many votes. Please wait a minute."},
                status=429,
            ),
            per_ip[1],
        )
    try:
        comment = services.vote(comment_id, voter, value)
    except CommentRejected as exc:
        return JsonResponse({"ok": False, "error": exc.errors["__all__"]}, status=400)
    return JsonResponse(
        {"ok": True, "upvotes": comment.upvotes, "downvotes": comment.downvotes}
    )


@csrf_exempt  # the signed edit token is the author's proof
@require_POST
@never_cache
def edit(request, comment_id: int):
    comment = get_object_or_404(Comment, pk=comment_id)
    try:
        services.edit_comment(
            comment,
            request.POST.get("body", ""),
            by_author_token=request.POST.get("token", ""),
        )
    except EditNotAllowed as exc:
        return _edit_refused(request, comment, {"__all__": str(exc)}, status=403)
    except CommentRejected as exc:
        return _edit_refused(request, comment, exc.errors, status=400)
    if wants_json(request):
        return JsonResponse({"ok": True, "body_html": comment.body_html})
    return redirect(f"{comment.page.url}#comment-{comment.pk}", permanent=False)


@csrf_exempt  # the signed edit token is the author's proof
@require_POST
@never_cache
def delete(request, comment_id: int):
    comment = get_object_or_404(Comment, pk=comment_id)
    try:
        services.delete_own_comment(comment, request.POST.get("token", ""))
    except EditNotAllowed as exc:
        return _edit_refused(request, comment, {"__all__": str(exc)}, status=403)
    if wants_json(request):
        return JsonResponse({"ok": True})
    return redirect(f"{comment.page.url}#comments", permanent=False)


def _edit_refused(request, comment, errors: dict, status: int):
    if wants_json(request):
        return JsonResponse({"ok": False, "errors": errors}, status=status)
    context = {
        "page": comment.page,
        "comment": comment,
        "errors": errors,
        "edit_token": request.POST.get("token", ""),
        "body": request.POST.get("body", comment.body),
    }
    return render(request, "comments/received.html", context, status=status)
