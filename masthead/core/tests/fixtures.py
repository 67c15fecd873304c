"""Staff fixtures shared by every app's tests (loaded by the root conftest)."""

import pytest
from django.contrib.auth.models import Group


def member_of(django_user_model, username: str, group: str | None, **fields):
    """A staff account in one of the newsroom's roles (groups made by migrations)."""
    user = django_user_model.objects.create_user(
        username, email=fields.pop("email", f"{username}@example.org"), **fields
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(django_user_model):
    return member_of(django_user_model, "eddie", "Editors")


@pytest.fixture
def writer(django_user_model):
    return member_of(django_user_model, "wren", "Writers")


@pytest.fixture
def moderator(django_user_model):
    return member_of(django_user_model, "mona", "Moderators")
