import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from wagtail.models import Workflow, WorkflowPage

from masthead.core.roles import (
    EDITORS,
    MODERATORS,
    REVIEW_WORKFLOW,
    WRITERS,
    apply_editorial_roles,
)
from masthead.news.tests.factories import ArticlePageFactory, SectionPageFactory


@pytest.fixture
def make_member(django_user_model):
    def make(group_name: str):
        user = django_user_model.objects.create_user(
            f"{group_name.lower()}-member", password="pw"
        )
        user.groups.add(Group.objects.get(name=group_name))
        return user

    return make


@pytest.fixture
def writer(make_member):
    return make_member(WRITERS)


@pytest.fixture
def editor(make_member):
    return make_member(EDITORS)


@pytest.fixture
def moderator(make_member):
    return make_member(MODERATORS)


@pytest.fixture
def draft(db):
    section = SectionPageFactory()
    page = ArticlePageFactory(parent=section, live=False, title="Draft story")
    page.save_revision()
    return page


@pytest.mark.django_db
def test_roles_exist_after_migrating(writer, editor, moderator):
    for user in (writer, editor, moderator):
        assert user.has_perm("wagtailadmin.access_admin")


@pytest.mark.django_db
def test_writers_draft_but_only_editors_publish(writer, editor, moderator, draft):
    assert draft.permissions_for_user(writer).can_edit()
    assert not draft.permissions_for_user(writer).can_publish()
    assert draft.permissions_for_user(editor).can_publish()
    assert not draft.permissions_for_user(moderator).can_edit()


@pytest.mark.django_db
def test_one_review_workflow_covers_the_whole_tree(draft):
    workflow = draft.get_workflow()

    assert workflow.name == REVIEW_WORKFLOW
    assert WorkflowPage.objects.get(page__depth=1).workflow == workflow
    assert not Workflow.objects.filter(name="Moderators approval", active=True).exists()


@pytest.mark.django_db
def test_writer_submits_and_editor_approval_publishes(writer, editor, draft):
    workflow_state = draft.get_workflow().start(draft, writer)
    task_state = workflow_state.current_task_state
    task = task_state.task.specific

    assert not draft.live
    assert [a[0] for a in task.get_actions(draft, writer)] == []
    assert "approve" in [a[0] for a in task.get_actions(draft, editor)]

    task_state.approve(user=editor)

    draft.refresh_from_db()
    assert draft.live
    assert draft.live_revision == draft.latest_revision


@pytest.mark.django_db
def test_applying_the_roles_again_changes_nothing(writer):
    def snapshot():
        return {
            group.name: (
                sorted(group.permissions.values_list("codename", flat=True)),
                sorted(
                    group.page_permissions.values_list(
                        "permission__codename", flat=True
                    )
                ),
                sorted(
                    group.collection_permissions.values_list(
                        "permission__codename", flat=True
                    )
                ),
            )
            for group in Group.objects.order_by("name")
        }

    before = snapshot()
    apply_editorial_roles(apps)

    assert snapshot() == before
    assert Workflow.objects.filter(name=REVIEW_WORKFLOW).count() == 1
