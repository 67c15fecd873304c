from django.urls import include, path

from . import views

app_name = "comments"

urlpatterns = [
    path("<int:page_id>/", views.comment_list, name="list"),
    path("<int:page_id>/token/", views.form_token, name="token"),
    path("<int:page_id>/post/", views.post, name="post"),
    path("<int:comment_id>/vote/", views.vote, name="vote"),
    path("<int:comment_id>/edit/", views.edit, name="edit"),
    path("<int:comment_id>/delete/", views.delete, name="delete"),
    path("", include("masthead.comments.subscription_urls")),
]
