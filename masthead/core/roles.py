"""The newsroom's roles as Django groups, and the Writer -> Editor review workflow.

Kept as a function of an `apps` registry so the data migration (historical models)
and the tests (live models) run the same code.
"""

from django.contrib.auth.management import create_permissions

WRITERS = "Writers"
EDITORS = "Editors"
MODERATORS = "Moderators"
FINANCE = "Finance"
REVIEW_WORKFLOW = "Editorial review"
REVIEW_TASK = "Editor approval"

# Wagtail page permissions, granted on the tree's root so they cover every page.
PAGE_PERMISSIONS = {
    WRITERS: ["add_page", "change_page"],
    EDITORS: [
        "add_page",
        "change_page",
        "publish_page",
        "bulk_delete_page",
        "lock_page",
        "unlock_page",
    ],
    MODERATORS: [],
    FINANCE: [],
}
# Image and document library permissions on the root collection.
COLLECTION_PERMISSIONS = {
    WRITERS: [
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.choose_document",
    ],
    EDITORS: [
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.delete_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.delete_document",
        "wagtaildocs.choose_document",
    ],
    MODERATORS: [],
    FINANCE: [],
}
MODEL_PERMISSIONS = {
    WRITERS: ["wagtailadmin.access_admin", "news.view_author"],
    EDITORS: [
        "wagtailadmin.access_admin",
        "news.add_author",
        "news.change_author",
        "news.delete_author",
        "news.view_author",
        "core.change_mastheadsettings",
        "wagtailredirects.add_redirect",
        "wagtailredirects.change_redirect",
        "wagtailredirects.delete_redirect",
        "comments.view_comment",
        "comments.change_comment",
        "comments.moderate_comment",
        "comments.change_commentsettings",
        "analytics.view_audience",
        "revenue.view_donation",
        "revenue.view_donor",
        "revenue.view_monthlygift",
        *[
            f"newsletter.{codename}"
            for codename in (
                "add_newsletterlist",
                "change_newsletterlist",
                "delete_newsletterlist",
                "view_newsletterlist",
                "add_issue",
                "change_issue",
                "delete_issue",
                "view_issue",
                "send_issue",
                "view_subscriber",
                "change_subscriber",
                "delete_subscriber",
                "export_subscriber",
                "import_subscriber",
            )
        ],
    ],
    MODERATORS: [
        "wagtailadmin.access_admin",
        "comments.view_comment",
        "comments.change_comment",
        "comments.moderate_comment",
    ],
    # Donations are read and exported here, never changed: providers own the money.
    FINANCE: [
        "wagtailadmin.access_admin",
        "revenue.view_donation",
        "revenue.view_donor",
        "revenue.view_monthlygift",
        "revenue.export_donation",
    ],
}


def _ensure_permissions_exist(apps) -> None:
    # Permissions are normally created after all migrations ran (post_migrate); a data
    # migration that grants them has to create them itself.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def _permission(apps, dotted: str):
    """The permission, or None while its app's models are not migrated yet.

    core/0002 runs before the comments app exists; comments/0002 grants those
    (and revenue/0002 the revenue ones).
    """
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = dotted.split(".")
    return Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()


def apply_editorial_roles(apps) -> None:
    """Create or repair the four groups and the review workflow; safe to run again."""
    _ensure_permissions_exist(apps)
    Group = apps.get_model("auth", "Group")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model(
        "wagtailcore", "GroupCollectionPermission"
    )
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Page = apps.get_model("wagtailcore", "Page")

    root_page = Page.objects.filter(depth=1).order_by("path").first()
    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    groups = {}
    for name in (WRITERS, EDITORS, MODERATORS, FINANCE):
        group, _ = Group.objects.get_or_create(name=name)
        groups[name] = group
        # Wagtail's own defaults make Moderators publishers; here they moderate
        # comments, so every role's page permissions are set exactly.
        GroupPagePermission.objects.filter(group=group).delete()
        for codename in PAGE_PERMISSIONS[name]:
            GroupPagePermission.objects.create(
                group=group,
                page=root_page,
                permission=_permission(apps, f"wagtailcore.{codename}"),
            )
        GroupCollectionPermission.objects.filter(group=group).delete()
        for dotted in COLLECTION_PERMISSIONS[name]:
            GroupCollectionPermission.objects.create(
                group=group,
                collection=root_collection,
                permission=_permission(apps, dotted),
            )
        permissions = [_permission(apps, p) for p in MODEL_PERMISSIONS[name]]
        group.permissions.set([p for p in permissions if p is not None])

    _apply_review_workflow(apps, root_page, groups[EDITORS])


def _apply_review_workflow(apps, root_page, editors) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=REVIEW_TASK, content_type=task_type, active=True
        )
    task.groups.set([editors])

    workflow, _ = Workflow.objects.get_or_create(
        name=REVIEW_WORKFLOW, defaults={"active": True}
    )
    WorkflowTask.objects.filter(workflow=workflow).exclude(task=task).delete()
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task, defaults={"sort_order": 0}
    )
    # Wagtail's stock "Moderators approval" asks the comment moderators to publish.
    stock = Workflow.objects.exclude(pk=workflow.pk).filter(name="Moderators approval")
    GroupApprovalTask.objects.filter(name="Moderators approval").update(active=False)
    stock.update(active=False)
    # One workflow for the whole tree: pages inherit it from the root.
    WorkflowPage.objects.filter(page=root_page).delete()
    WorkflowPage.objects.create(page=root_page, workflow=workflow)
