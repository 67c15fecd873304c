"""What each change purges: one story and its lists, or everything shown site-wide."""

from django.apps import apps
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import (
    page_published,
    page_unpublished,
    post_page_move,
    pre_page_move,
)

from masthead.comments.signals import thread_changed
from masthead.core.upgrade import site_upgraded
from masthead.news.models import ArticlePage, Author
from masthead.newsletter.models import NewsletterList

from . import purge


@receiver(pre_save, sender=ArticlePage)
def _remember_story_places(sender, instance, **kwargs):
    # The lists that showed the stored version must go too: its old tags, authors
    # and series are still in the database while the page row is being saved.
    if instance.pk and instance.live:
        instance._places_before = purge.story_places(instance)


@receiver(page_published)
@receiver(page_unpublished)
def _page_changed(sender, instance, **kwargs):
    page = instance.specific
    if isinstance(page, ArticlePage):
        purge.purge_story(page, before=getattr(page, "_places_before", None))
    else:
        purge.purge_everything([page])


@receiver(pre_page_move)
def _remember_old_place(sender, instance, **kwargs):
    page = instance.specific
    if isinstance(page, ArticlePage) and page.live:
        instance._urls_before_move = purge.story_urls(page)


@receiver(post_page_move)
def _page_moved(sender, instance, parent_page_before, parent_page_after, **kwargs):
    if not instance.live:
        return
    page = instance.specific
    if isinstance(page, ArticlePage):
        before = getattr(instance, "_urls_before_move", [])
        purge.purge_urls([*before, *purge.story_urls(page)])
    else:
        purge.purge_everything([page, parent_page_before, parent_page_after])


@receiver(thread_changed)
def _comments_changed(sender, page_id, **kwargs):
    story = Page.objects.filter(pk=page_id, live=True).first()
    if story is not None:
        purge.purge_comments(story)


def _shown_everywhere(sender, instance, **kwargs):
    pages = [site.root_page for site in Site.objects.select_related("root_page")]
    purge.purge_everything(pages)


for model in (Author, NewsletterList, PageViewRestriction, Site):
    post_save.connect(_shown_everywhere, sender=model, dispatch_uid=f"purge-{model}")
    post_delete.connect(_shown_everywhere, sender=model, dispatch_uid=f"purge-{model}")


def _settings_changed(sender, instance, created, **kwargs):
    # A first read creates the row with the defaults pages already showed.
    if not created:
        purge.purge_everything([instance.site.root_page])


for model in apps.get_models():
    if issubclass(model, BaseSiteSetting):
        post_save.connect(
            _settings_changed, sender=model, dispatch_uid=f"purge-{model}"
        )


@receiver(site_upgraded)
def _site_upgraded(sender, **kwargs):
    # New templates and static files: every stored page and fragment is stale.
    purge.purge_everything([])
