from django.urls import include, path

from masthead.core import converters  # noqa: F401  (registers <id:...>)

from . import views

app_name = "comments"

urlpatterns = [
    path("<id:page_id>/", views.comment_list, name="list"),
    path("<id:page_id>/token/", views.form_token, name="token"),
    path("<id:page_id>/post/", views.post, name="post"),
    path("<id:comment_id>/vote/", views.vote, name="vote"),
    path("<id:comment_id>/edit/", views.edit, name="edit"),
    path("<id:comment_id>/delete/", views.delete, name="delete"),
    path("", include("masthead.comments.subscription_urls")),
]
