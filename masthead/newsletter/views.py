"""The reader's side: sign up, confirm, preferences, one-click unsubscribe, erase.

The signup form needs no CSRF token (pages are cached and cookie free) and
always answers the same way; the links in mails carry the subscriber's secret
key. Confirming and unsubscribing from a link take a POST, because mail
scanners open every link in a mail.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from masthead.core import ratelimit

from . import conf, services
from .choices import SubscriberStatus
from .exceptions import InvalidToken
from .forms import PreferencesForm, SignupForm
from .models import Issue, NewsletterList, Subscriber

# The largest id a database column holds; a bigger one in a URL is simply unknown.
MAX_ID = 2**63 - 1
STALE_UNSUBSCRIBE = (
    "Nothing changed: you joined this newsletter again after this mail was sent."
)


def signup_page(request):
    return render(request, "newsletter/signup_page.html", {"form": SignupForm()})


@csrf_exempt
@require_POST
@never_cache
def subscribe(request):
    form = SignupForm(request.POST)
    if not form.is_valid():
        return render(
            request, "newsletter/signup_page.html", {"form": form}, status=400
        )
    data = form.cleaned_data
    if not data["website"] and _within_limits(request, data["email"]):
        services.signup(data["email"], [li.pk for li in data["lists"]], data["name"])
    return redirect("newsletter:check_inbox")


def _within_limits(request, email: str) -> bool:
    # Over a limit the reader sees the same answer; only the mail is not sent.
    ip_limit, ip_window = conf.get("MASTHEAD_NEWSLETTER_RATE_PER_IP")
    mail_limit, mail_window = conf.get("MASTHEAD_NEWSLETTER_RATE_PER_EMAIL")
    return ratelimit.hit(
        "newsletter-ip", ratelimit.client_ip(request), ip_limit, ip_window
    ) and ratelimit.hit(
        "newsletter-email", services.normalise_email(email), mail_limit, mail_window
    )


def check_inbox(request):
    return render(request, "newsletter/check_inbox.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    try:
        if request.method == "POST":
            subscriber = services.confirm(token)
            return redirect("newsletter:preferences", key=subscriber.key)
        pending = services.pending_signup(token)
    except InvalidToken as exc:
        return render(
            request, "newsletter/invalid_link.html", {"error": str(exc)}, status=400
        )
    lists = services.signup_lists(pending)
    return render(
        request,
        "newsletter/confirm.html",
        {"lists": lists, "consent_text": services.consent_statement(lists)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request, key: str):
    subscriber = get_object_or_404(Subscriber, key=key)
    saved = False
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid() and subscriber.status != SubscriberStatus.SUPPRESSED:
            services.set_preferences(
                subscriber,
                [li.pk for li in form.cleaned_data["lists"]],
                form.cleaned_data["name"],
            )
            saved = True
            subscriber.refresh_from_db()
    else:
        form = PreferencesForm(
            initial={
                "name": subscriber.name,
                "lists": subscriber.lists.filter(active=True),
            }
        )
    return render(
        request,
        "newsletter/preferences.html",
        {
            "subscriber": subscriber,
            "form": form,
            "saved": saved,
            "checked": {str(pk) for pk in form["lists"].value() or []},
        },
        status=400 if form.errors else 200,
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, key: str, list_slug: str, issue_id: int | None = None):
    """RFC 8058: a POST here, from a mail client's button, unsubscribes at once.

    Links in issues name the issue, so a mail sent before the reader joined the
    list again cannot take them off it; links without one (mails sent before
    issues were named) keep working as they always did.
    """
    subscriber = Subscriber.objects.filter(key=key).first()
    newsletter_list = NewsletterList.objects.filter(slug=list_slug).first()
    issue = None
    if issue_id is not None:
        issue = Issue.objects.filter(pk=min(issue_id, MAX_ID)).first()
    if (
        subscriber is None
        or newsletter_list is None
        or (issue_id is not None and issue is None)
    ):
        raise Http404("This unsubscribe link is not valid (any more).")
    changed = True
    if request.method == "POST":
        changed = services.unsubscribe_by_link(
            subscriber, newsletter_list, mailed_at=issue and issue.started_at
        )
        if request.POST.get("List-Unsubscribe") == "One-Click":
            text = "Unsubscribed." if changed else STALE_UNSUBSCRIBE
            return HttpResponse(text, content_type="text/plain")
    return render(
        request,
        "newsletter/unsubscribe.html",
        {
            "subscriber": subscriber,
            "newsletter_list": newsletter_list,
            "done": request.method == "POST" and changed,
            "stale": not changed,
        },
    )


@require_POST
@never_cache
def erase(request, key: str):
    subscriber = get_object_or_404(Subscriber, key=key)
    services.erase(subscriber)
    return render(request, "newsletter/erased.html")
