"""Every admin URL, for every newsroom role: who gets in, and who is turned away.

The walk finds the admin's URL patterns in the resolver (Wagtail's own, our apps'
register_admin_urls and viewsets), fills each with a real object, and asks as
each role. MATRIX below is the expected answer. A pattern missing from it fails
the test: a new admin URL must be placed in the matrix to pass.

Reading the table: the set names who is let in (200, or a redirect to the page
they asked for); everyone else must be turned away (403, Wagtail's "permission
denied" redirect to the dashboard, or the login page). POST means the URL takes
only POSTs: the roles outside the set are refused a POST, and the actions further
down do the real thing. A number means every role gets that status (0: not
walked), and why.
"""

from dataclasses import dataclass

import pytest

from masthead.accounts.tests.role_matrix_support import (
    ROLES,
    admin_routes,
    make_objects,
    make_staff,
    outcome,
    url_for,
)

pytestmark = pytest.mark.django_db

W, E, M, F, A = "writer", "editor", "moderator", "finance", "admin"
EVERYONE = frozenset(ROLES)  # any staff member: choosers, own account, help pages
PAGES = frozenset({W, E, A})  # the page tree, images, documents, authors to read
PUBLISH = frozenset({E, A})  # publish, unpublish, delete, move, and the library
COMMENTS = frozenset({E, M, A})
MONEY = frozenset({E, F, A})  # donations are read by editors, exported by finance
FINANCE_ONLY = frozenset({F, A})
EDITORS = frozenset({E, A})  # newsletter, settings, redirects, audience
ADMIN = frozenset({A})


@dataclass(frozen=True)
class POST:
    roles: frozenset


@dataclass(frozen=True)
class Status:
    code: int
    why: str


NOT_FOUND_HERE = Status(404, "needs an object the site has none of")
MATRIX = {
    # --- Dashboard, account, sign-in -------------------------------------------
    "": EVERYONE,
    "account/": EVERYONE,
    "dismissibles/": EVERYONE,
    "sprite/": EVERYONE,
    "jsi18n/": EVERYONE,
    "login/": EVERYONE,  # a signed-in person is sent on to the dashboard
    # Anyone may sign out; asking would end the walk's own session.
    "logout/": Status(0, "not walked"),
    "password_reset/": EVERYONE,
    "password_reset/done/": EVERYONE,
    "password_reset/confirm/<uidb64>/<token>/": EVERYONE,
    "password_reset/complete/": EVERYONE,
    "2fa/verify/": EVERYONE,
    "2fa/setup/": EVERYONE,
    "2fa/recovery-codes/": EVERYONE,
    "test404/": EVERYONE,  # Wagtail's own 404 page, as a page
    "failwhale/": Status(500, "Wagtail's deliberate error page"),
    "^.*/$": Status(404, "no such admin page"),
    # --- Choosers: any staff member may pick; what they list is filtered -------
    "choose-page/": EVERYONE,
    "choose-page/<parent_page_id>/": EVERYONE,
    "choose-page/search/": EVERYONE,
    "choose-page/chosen-multiple/": EVERYONE,
    "choose-external-link/": EVERYONE,
    "choose-email-link/": EVERYONE,
    "choose-phone-link/": EVERYONE,
    "choose-anchor-link/": EVERYONE,
    "tag-autocomplete/": EVERYONE,
    "tag-autocomplete/<app_name>/<model_name>/": EVERYONE,
    "embeds/chooser/": EVERYONE,
    "embeds/chooser/upload/": EVERYONE,
    "documents/chooser/": EVERYONE,
    "documents/chooser/results/": EVERYONE,
    "documents/chooser/chosen/<pk>/": PAGES,
    "documents/chooser/chosen-multiple/": EVERYONE,
    "documents/chooser/create/": PAGES,
    "images/chooser/": EVERYONE,
    "images/chooser/results/": EVERYONE,
    "images/chooser/chosen/<pk>/": PAGES,
    "images/chooser/chosen-multiple/": EVERYONE,
    "images/chooser/create/": PAGES,
    "images/chooser/<image_id>/select_format/": PAGES,
    "snippets/choose/news/author/": EVERYONE,
    "snippets/choose/news/author/results/": EVERYONE,
    "snippets/choose/news/author/chosen/<pk>/": EVERYONE,
    "snippets/choose/news/author/chosen-multiple/": EVERYONE,
    "snippets/choose/news/author/create/": PUBLISH,
    "workflows/task_chooser/": EVERYONE,  # creating a task needs add_task
    "workflows/task_chooser/results/": EVERYONE,
    "workflows/task_chooser/create/": EVERYONE,
    "workflows/task_chooser/<task_id>/": EVERYONE,
    # --- Admin API (lists only what the person may see) ------------------------
    "api/main/^pages/": EVERYONE,
    "api/main/^pages/<pk>/": PAGES,
    "api/main/^pages/find/": NOT_FOUND_HERE,
    "api/main/^pages/<pk>/action/<action_name>/": POST(PUBLISH),
    "api/main/^documents/": EVERYONE,
    "api/main/^documents/<pk>/": EVERYONE,
    "api/main/^documents/find/": NOT_FOUND_HERE,
    "api/main/^images/": EVERYONE,
    "api/main/^images/<pk>/": EVERYONE,
    "api/main/^images/find/": NOT_FOUND_HERE,
    # --- Pages ------------------------------------------------------------------
    "pages/": PAGES,
    "pages/<parent_page_id>/": PAGES,
    "pages/<parent_page_id>/results/": PAGES,
    "bulk/<app_label>/<model_name>/<action>/": NOT_FOUND_HERE,
    "pages/add/<content_type_app_name>/<content_type_model_name>/"
    "<parent_page_id>/": PAGES,
    "pages/add/<content_type_app_name>/<content_type_model_name>/"
    "<parent_page_id>/preview/": PAGES,
    "pages/usage/<content_type_app_name>/<content_type_model_name>/": PAGES,
    "pages/usage/<content_type_app_name>/<content_type_model_name>/results/": PAGES,
    # Lists the parents a person may add under: none for the others.
    "pages/create/<app_label>/<model_name>": EVERYONE,
    "pages/<page_id>/usage/": PAGES,
    "pages/<page_id>/edit/": PAGES,
    "pages/<page_id>/edit/preview/": PAGES,
    "pages/<page_id>/view_draft/": PAGES,
    "pages/<parent_page_id>/add_subpage/": PAGES,
    "pages/<page_id>/delete/": PUBLISH,
    "pages/<page_id>/unpublish/": PUBLISH,
    "pages/<page_id>/convert_alias/": NOT_FOUND_HERE,
    "pages/search/": PAGES,
    "pages/search/results/": PAGES,
    "pages/<page_to_move_id>/move/": PUBLISH,
    # Wagtail shows the question to anyone; the move itself checks (actions).
    "pages/<page_to_move_id>/move/<destination_id>/confirm/": EVERYONE,
    "pages/<page_to_move_id>/set_position/": POST(PUBLISH),
    "pages/<page_id>/copy/": PAGES,
    "pages/workflow/action/<page_id>/<action_name>/<task_state_id>/": (PUBLISH),
    "pages/workflow/collect_action_data/<page_id>/<action_name>/"
    "<task_state_id>/": PUBLISH,
    "pages/workflow/confirm_cancellation/<page_id>/": EVERYONE,
    "pages/workflow/preview/<page_id>/<task_id>/": PUBLISH,
    "pages/<page_id>/privacy/": PUBLISH,
    "pages/<page_id>/lock/": POST(PUBLISH),
    "pages/<page_id>/unlock/": POST(PUBLISH),
    "pages/<page_id>/revisions/": EVERYONE,  # redirects to history, checked there
    "pages/<page_id>/revisions/<revision_id>/view/": PAGES,
    "pages/<page_id>/revisions/<revision_id>/revert/": PAGES,
    "pages/<page_id>/revisions/<revision_id>/unschedule/": PUBLISH,
    r"pages/^(?P<pk>\d+)/revisions/compare/(?P<revision_id_a>live|earliest|\d+)"
    r"\.\.\.(?P<revision_id_b>live|latest|\d+)/$": PAGES,
    "pages/<page_id>/workflow_history/": PAGES,
    "pages/<page_id>/workflow_history/detail/<workflow_state_id>/": PAGES,
    "pages/<page_id>/history/": PAGES,
    "pages/<page_id>/history/results/": PAGES,
    "forms/": PAGES,
    "forms/results/": PAGES,
    "forms/submissions/<page_id>/": NOT_FOUND_HERE,
    "forms/submissions/<page_id>/results/": NOT_FOUND_HERE,
    "forms/submissions/<page_id>/delete/": NOT_FOUND_HERE,
    # --- Images, documents, authors -------------------------------------------
    "images/": PAGES,
    "images/results/": PAGES,
    "images/add/": PAGES,
    "images/<image_id>/": PUBLISH,
    "images/<image_id>/delete/": PUBLISH,
    "images/<image_id>/generate_url/": NOT_FOUND_HERE,
    "images/<image_id>/generate_url/output/": NOT_FOUND_HERE,
    "images/<image_id>/preview/<filter_spec>/": PUBLISH,
    "images/usage/<image_id>/": PUBLISH,
    "images/multiple/add/": PAGES,
    "images/multiple/<image_id>/": POST(PUBLISH),
    "images/multiple/create_from_uploaded_image/<uploaded_file_id>/": POST(PAGES),
    "images/multiple/<image_id>/delete/": POST(PUBLISH),
    "images/multiple/delete_upload/<uploaded_file_id>/": POST(PAGES),
    "documents/": PAGES,
    "documents/results/": PAGES,
    "documents/add/": PAGES,
    "documents/edit/<document_id>/": PUBLISH,
    "documents/delete/<document_id>/": PUBLISH,
    "documents/usage/<document_id>/": PUBLISH,
    "documents/multiple/add/": PAGES,
    "documents/multiple/<doc_id>/": POST(PUBLISH),
    "documents/multiple/create_from_uploaded_document/<uploaded_file_id>/": POST(PAGES),
    "documents/multiple/<doc_id>/delete/": POST(PUBLISH),
    "documents/multiple/delete_upload/<uploaded_file_id>/": POST(PAGES),
    "snippets/": PAGES,
    "snippets/news/author/": PAGES,
    "snippets/news/author/results/": PAGES,
    "snippets/news/author/add/": PUBLISH,
    "snippets/news/author/edit/<pk>/": PUBLISH,
    "snippets/news/author/delete/<pk>/": PUBLISH,
    "snippets/news/author/usage/<pk>/": PUBLISH,
    "snippets/news/author/history/<pk>/": PUBLISH,
    "snippets/news/author/history-results/<pk>/": PUBLISH,
    "snippets/news/author/copy/<pk>/": PUBLISH,
    "redirects/": EDITORS,
    "redirects/results/": EDITORS,
    "redirects/add/": EDITORS,
    "redirects/<redirect_id>/": EDITORS,
    "redirects/<redirect_id>/delete/": EDITORS,
    "redirects/import/": EDITORS,
    "redirects/import/process/": POST(EDITORS),
    # --- Reports (each lists only what the person may see) ---------------------
    "reports/locked/": PUBLISH,
    "reports/locked/results/": PUBLISH,
    "reports/workflow/": PAGES,
    "reports/workflow/results/": PAGES,
    "reports/workflow_tasks/": PAGES,
    "reports/workflow_tasks/results/": PAGES,
    "reports/site-history/": EVERYONE,  # entries filtered (exports: admins only)
    "reports/site-history/results/": EVERYONE,
    "reports/aging-pages/": PAGES,
    "reports/aging-pages/results/": PAGES,
    "reports/page-types-usage/": PAGES,
    "reports/page-types-usage/results/": PAGES,
    "audience/": EDITORS,
    # --- Comments: moderators, and editors ------------------------------------
    "comments/": COMMENTS,
    "comments/results/": COMMENTS,
    "comments/edit/<pk>/": COMMENTS,
    "comments/history/<pk>/": COMMENTS,
    "comments/history-results/<pk>/": COMMENTS,
    "comments/usage/<pk>/": COMMENTS,
    "comments/<pk>/status/<status>/": POST(COMMENTS),
    "comments/article/<page_id>/close/": POST(COMMENTS),
    "comments/article/<page_id>/reopen/": POST(COMMENTS),
    # --- Money: finance reads and exports; editors read --------------------------
    "revenue/": MONEY,
    "donations/": MONEY,
    "donations/results/": MONEY,
    "donations/inspect/<pk>/": MONEY,
    "donors/": MONEY,
    "donors/results/": MONEY,
    "donors/inspect/<pk>/": MONEY,
    "monthly-supporters/": MONEY,
    "monthly-supporters/results/": MONEY,
    "monthly-supporters/inspect/<pk>/": MONEY,
    # --- Newsletter: editors -----------------------------------------------------
    "newsletter/import/": EDITORS,
    "newsletter/import/confirm/": POST(EDITORS),
    "newsletter/export/": EDITORS,
    "newsletter/issues/": EDITORS,
    "newsletter/issues/results/": EDITORS,
    "newsletter/issues/new/": EDITORS,
    "newsletter/issues/edit/<pk>/": EDITORS,
    "newsletter/issues/delete/<pk>/": EDITORS,
    "newsletter/issues/history/<pk>/": EDITORS,
    "newsletter/issues/history-results/<pk>/": EDITORS,
    "newsletter/issues/usage/<pk>/": EDITORS,
    "newsletter/issues/preview/<pk>/": EDITORS,
    "newsletter/issues/preview-html/<pk>/": EDITORS,
    "newsletter/issues/test/<pk>/": POST(EDITORS),
    "newsletter/issues/send/<pk>/": EDITORS,
    "newsletter/issues/schedule/<pk>/": EDITORS,
    "newsletter/issues/unschedule/<pk>/": POST(EDITORS),
    "newsletter/issues/progress/<pk>/": EDITORS,
    "newsletter/lists/": EDITORS,
    "newsletter/lists/results/": EDITORS,
    "newsletter/lists/new/": EDITORS,
    "newsletter/lists/edit/<pk>/": EDITORS,
    "newsletter/lists/delete/<pk>/": EDITORS,
    "newsletter/lists/history/<pk>/": EDITORS,
    "newsletter/lists/history-results/<pk>/": EDITORS,
    "newsletter/lists/usage/<pk>/": EDITORS,
    "newsletter/subscribers/": EDITORS,
    "newsletter/subscribers/results/": EDITORS,
    "newsletter/subscribers/inspect/<pk>/": EDITORS,
    "newsletter/subscribers/suppress/<pk>/": POST(EDITORS),
    "newsletter/subscribers/erase/<pk>/": EDITORS,
    # --- Site settings: editors; the rest of the setup: admins -------------------
    "settings/<app_name>/<model_name>/": EDITORS,
    "settings/<app_name>/<model_name>/<pk>/": EDITORS,
    "settings/<app_name>/<model_name>/<pk>/preview/": Status(
        404, "site settings have no preview"
    ),
    "editing-sessions/ping/<app_label>/<model_name>/<object_id>/<session_id>/": POST(
        PAGES
    ),
    # Ends only the caller's own editing session: nothing to refuse.
    "editing-sessions/release/<session_id>/": POST(EVERYONE),
    "block-preview/": NOT_FOUND_HERE,
    "collections/": ADMIN,
    "collections/add/": ADMIN,
    "collections/<pk>/": ADMIN,
    "collections/<pk>/delete/": ADMIN,
    "collections/<collection_id>/privacy/": ADMIN,
    "workflows/list/": ADMIN,
    "workflows/list/results/": ADMIN,
    "workflows/add/": ADMIN,
    "workflows/enable/<pk>/": POST(ADMIN),
    "workflows/disable/<pk>/": ADMIN,
    "workflows/edit/<pk>/": ADMIN,
    "workflows/usage/<pk>/": ADMIN,
    "workflows/usage/<pk>/results/": ADMIN,
    "workflows/remove/<page_pk>/": POST(ADMIN),
    "workflows/remove/<page_pk>/<workflow_pk>/": POST(ADMIN),
    "workflows/tasks/add/<app_label>/<model_name>/": ADMIN,
    "workflows/tasks/select_type/": ADMIN,
    "workflows/tasks/index/": ADMIN,
    "workflows/tasks/index/results/": ADMIN,
    "workflows/tasks/edit/<pk>/": ADMIN,
    "workflows/tasks/disable/<pk>/": ADMIN,
    "workflows/tasks/enable/<pk>/": POST(ADMIN),
    "sites/": ADMIN,
    "sites/results/": ADMIN,
    "sites/new/": ADMIN,
    "sites/edit/<pk>/": ADMIN,
    "sites/delete/<pk>/": ADMIN,
    "sites/history/<pk>/": ADMIN,
    "sites/history-results/<pk>/": ADMIN,
    "sites/usage/<pk>/": ADMIN,
    "sites/copy/<pk>/": ADMIN,
    "users/": ADMIN,
    "users/results/": ADMIN,
    "users/new/": ADMIN,
    "users/edit/<pk>/": ADMIN,
    "users/delete/<pk>/": ADMIN,
    "users/history/<pk>/": ADMIN,
    "users/history-results/<pk>/": ADMIN,
    "users/usage/<pk>/": ADMIN,
    "users/copy/<pk>/": ADMIN,
    "groups/": ADMIN,
    "groups/results/": ADMIN,
    "groups/new/": ADMIN,
    "groups/edit/<pk>/": ADMIN,
    "groups/delete/<pk>/": ADMIN,
    "groups/history/<pk>/": ADMIN,
    "groups/history-results/<pk>/": ADMIN,
    "groups/usage/<pk>/": ADMIN,
}
# A 404 hides from a role an object it may not see: also a refusal.
DENIED = {"denied", "login", "404"}


@pytest.fixture
def staff(django_user_model):
    return make_staff(django_user_model)


@pytest.fixture
def objects(article, section, author, staff):
    return make_objects(article, section, author, staff)


def test_every_admin_url_is_in_the_matrix():
    routes = {route.route for route in admin_routes()}

    assert sorted(routes - set(MATRIX)) == [], "new admin URLs: add them to MATRIX"
    assert sorted(set(MATRIX) - routes) == [], "MATRIX names URLs that are gone"


def judge(client, route, expected, role: str, url: str) -> str | None:
    """What is wrong with this role's answer at this URL, or None."""
    if isinstance(expected, Status):
        if expected.code == 0:
            return None
        got = outcome(client.get(url))
        if got == str(expected.code) or got in DENIED:
            return None
        return f"{got}, not {expected.code}"
    if isinstance(expected, POST):
        if role in expected.roles:
            got = outcome(client.get(url))
            return None if got not in DENIED else f"GET {got}"
        got = outcome(client.post(url))
        return None if got in DENIED else f"POST let in ({got})"
    got = outcome(client.get(url))
    if role in expected:
        return None if got in {"200", "302"} else f"refused ({got})"
    return None if got in DENIED else f"let in ({got})"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_the_matrix_says(client, role, staff, objects):
    client.raise_request_exception = False  # failwhale/ is a 500 on purpose
    client.force_login(staff[role])
    wrong = []
    for route in admin_routes():
        expected = MATRIX[route.route]
        problem = judge(client, route, expected, role, url_for(route, objects))
        if problem:
            wrong.append(f"{route.route} ({route.name}): {problem}")

    assert not wrong, "\n".join(wrong)
