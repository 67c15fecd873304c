"""Walking every admin URL and telling "allowed" from "denied" (test_role_matrix)."""

import re
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.admin.models import EditingSession
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    Site,
    UploadedFile,
    Workflow,
)

from masthead.comments.tests.fixtures import post_comment
from masthead.core.roles import EDITORS, FINANCE, MODERATORS, WRITERS
from masthead.core.tests.fixtures import member_of
from masthead.newsletter.issues import create_edition
from masthead.newsletter.models import Subscriber
from masthead.newsletter.tests.fixtures import confirmed_subscribers, make_list
from masthead.revenue.models import Donation, Donor, MonthlyGift

ROLES = ("writer", "editor", "moderator", "finance", "admin")
GROUPS = {
    "writer": WRITERS,
    "editor": EDITORS,
    "moderator": MODERATORS,
    "finance": FINANCE,
}
PERMISSION_DENIED = "Sorry, you do not have permission to access this area."


@dataclass(frozen=True)
class Route:
    """One admin URL pattern: its name, and its route such as "pages/<page_id>/"."""

    name: str
    route: str
    keys: tuple[str, ...]


def admin_routes() -> list[Route]:
    """Every URL pattern under /admin/, as the resolver holds them."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (
                    f"{pattern.namespace}:" if pattern.namespace else ""
                )
                yield from walk(
                    pattern.url_patterns, prefix + str(pattern.pattern), inner
                )
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern, namespace

    routes = []
    for route, pattern, namespace in walk(get_resolver().url_patterns):
        if not route.startswith("admin/"):
            continue
        keys = tuple(pattern.pattern.regex.groupindex)
        name = f"{namespace}{pattern.name}" if pattern.name else ""
        # Converters left out: <int:pk> and <id:pk> name the same thing.
        route = re.sub(r"<(?:\w+:)(\w+)>", r"<\1>", route.removeprefix("admin/"))
        routes.append(Route(name, route, keys))
    return routes


def make_staff(django_user_model) -> dict:
    users = {
        role: member_of(django_user_model, f"{role}-user", group)
        for role, group in GROUPS.items()
    }
    users["admin"] = django_user_model.objects.create_superuser(
        "admin-user", "admin@example.org", None
    )
    return users


def make_objects(article, section, author, users) -> dict:
    """One of everything an admin URL can name, made the way the site makes them."""
    root_collection = Collection.get_first_root_node()
    image = Image.objects.create(title="Bridge", file=get_test_image_file())
    document = Document.objects.create(title="Report", file=get_test_image_file())
    daily = make_list("Daily digest", "daily")
    confirmed_subscribers(daily, 2)
    comment = post_comment(article, "Worth reading.")
    donor = Donor.objects.create(email="ada@example.org", name="Ada")
    donation = Donation.objects.create(
        donor=donor,
        email=donor.email,
        amount_minor=500,
        currency="EUR",
        provider="stripe",
        payment_ref="pi_1",
    )
    gift = MonthlyGift.objects.create(
        donor=donor,
        amount_minor=500,
        currency="EUR",
        provider="stripe",
        subscription_ref="sub_1",
    )
    draft = article.save_revision(user=users["writer"])
    workflow_state = article.get_workflow().start(article, users["writer"])
    task = GroupApprovalTask.objects.get(name="Editor approval")
    uploaded = UploadedFile.objects.create(
        file=get_test_image_file(), uploaded_by_user=users["admin"]
    )
    session = EditingSession.objects.create(
        user=users["admin"], content_object=article, last_seen_at=timezone.now()
    )
    from wagtail.contrib.redirects.models import Redirect

    redirect = Redirect.objects.create(old_path="/old", redirect_page=article)
    return {
        "article": article,
        "section": section,
        "author": author,
        "image": image,
        "document": document,
        "collection": root_collection.add_child(name="Photos"),
        "list": daily,
        "issue": create_edition(daily),
        "subscriber": Subscriber.objects.order_by("pk").first(),
        "site": Site.objects.get(is_default_site=True),
        "comment": comment,
        "donor": donor,
        "donation": donation,
        "gift": gift,
        "revision": draft,
        "workflow": Workflow.objects.get(name="Editorial review"),
        "workflow_state": workflow_state,
        "task_state": workflow_state.current_task_state,
        "task": task,
        "uploaded": uploaded,
        "session": session,
        "redirect": redirect,
        "group": Group.objects.get(name=WRITERS),
        "user": users["writer"],
    }


def _pk_for(route: Route, objects: dict):
    namespace = route.name.rsplit(":", 1)[0] if ":" in route.name else ""
    if route.name.startswith("wagtailadmin_workflows:") and "task" in route.name:
        return objects["task"].pk
    by_namespace = {
        "wagtailadmin_collections": "collection",
        "wagtailsites": "site",
        "wagtailusers_users": "user",
        "wagtailusers_groups": "group",
        "wagtailsnippets_news_author": "author",
        "wagtailsnippetchoosers_news_author": "author",
        "wagtaildocs_chooser": "document",
        "wagtailimages_chooser": "image",
        "comment_moderation": "comment",
        "donations": "donation",
        "donors": "donor",
        "monthly_supporters": "gift",
        "newsletter_issues": "issue",
        "newsletter_lists": "list",
        "newsletter_subscribers": "subscriber",
        "wagtailadmin_workflows": "workflow",
        "wagtailadmin_api:pages": "article",
        "wagtailadmin_api:documents": "document",
        "wagtailadmin_api:images": "image",
        "wagtailadmin_pages": "article",
        # A setting's edit page is addressed by its site.
        "wagtailsettings": "site",
    }
    return objects[by_namespace[namespace]].pk


def url_for(route: Route, objects: dict) -> str:
    """The route with every part filled in by a real object."""
    values = {
        "page_id": objects["article"].pk,
        "page_pk": objects["article"].pk,
        "page_to_move_id": objects["article"].pk,
        "parent_page_id": objects["section"].pk,
        "destination_id": objects["section"].pk,
        "revision_id": objects["revision"].pk,
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "image_id": objects["image"].pk,
        "document_id": objects["document"].pk,
        "doc_id": objects["document"].pk,
        "collection_id": objects["collection"].pk,
        "redirect_id": objects["redirect"].pk,
        "task_id": objects["task"].pk,
        "task_state_id": objects["task_state"].pk,
        "workflow_state_id": objects["workflow_state"].pk,
        "workflow_pk": objects["workflow"].pk,
        "uploaded_file_id": objects["uploaded"].pk,
        "session_id": objects["session"].pk,
        "object_id": objects["article"].pk,
        "filter_spec": "max-100x100",
        "status": "approved",
        "uidb64": "MQ",
        "token": "set-password",
        "content_type_app_name": "news",
        "content_type_model_name": "articlepage",
        "app_name": "core",
        "model_name": "mastheadsettings",
        "action_name": "approve",
    }
    special = {
        "wagtail_bulk_action": {
            "app_label": "wagtailcore",
            "model_name": "page",
            "action": "delete",
        },
        "wagtailadmin_pages:choose_parent": {
            "app_label": "news",
            "model_name": "articlepage",
        },
        "wagtailadmin_tag_model_autocomplete": {
            "app_name": "taggit",
            "model_name": "tag",
        },
        "wagtailadmin_workflows:add_task": {
            "app_label": "wagtailcore",
            "model_name": "groupapprovaltask",
        },
        "wagtailadmin_editing_sessions:ping": {
            "app_label": "wagtailcore",
            "model_name": "page",
        },
        "wagtailadmin_api:pages:action": {"action_name": "copy"},
    }.get(route.name, {})
    kwargs = {}
    for key in route.keys:
        if key in special:
            kwargs[key] = special[key]
        elif key == "pk":
            kwargs[key] = _pk_for(route, objects)
        else:
            kwargs[key] = values[key]
    if not route.name:
        return "/admin/" + route.route.replace("^.*/$", "no-such-page/")
    return reverse(route.name, kwargs=kwargs)


def outcome(response) -> str:
    """'denied', 'login', or the status code (a redirect elsewhere is '302')."""
    if response.status_code == 403:
        return "denied"
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return "login"
        # Only what this request said: earlier messages wait in the cookie.
        messages = [str(m) for m in response.wsgi_request._messages._queued_messages]
        if location == "/admin/" and any(PERMISSION_DENIED in m for m in messages):
            return "denied"
    return str(response.status_code)
