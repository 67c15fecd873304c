from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
    TitleFieldPanel,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from masthead.analytics.panels import PageViewsPanel
from masthead.core.blocks import SocialLinkBlock

from . import queries
from .blocks import ArticleBodyBlock
from .choices import CorrectionKind, SeriesKind

RIVER_PAGE_SIZE = 20


class SiteOnceMixin:
    """For pages that ask for their site once: templates, structured data and
    the comment and donation settings all want it, and Wagtail queries it each
    time. The fast route (`serving`) hands over the request's site when it is it.
    """

    def get_site(self):
        if not hasattr(self, "_masthead_site"):
            self._masthead_site = super().get_site()
        return self._masthead_site


class HomePage(RoutablePageMixin, SiteOnceMixin, Page):
    """The front page: the lead story and the Latest river; author and tag pages."""

    intro = models.CharField(max_length=240, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["news.SectionPage", "news.SeriesPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from . import structured_data

        context = super().get_context(request, *args, **kwargs)
        site = self.get_site()
        # Names what the data depends on besides the page: base.html caches it.
        context["structured_data_key"] = "organization"
        context["structured_data"] = Once(
            lambda: [structured_data.organization(site, request)]
        )
        context["page_number"] = queries.page_number_key(request)
        context.setdefault(
            "stories",
            Once(
                lambda: queries.paginate(
                    queries.latest_articles(), request, RIVER_PAGE_SIZE
                )
            ),
        )
        return context

    @path("latest/", name="latest")
    def latest(self, request):
        return self.render(
            request,
            context_overrides={
                "river_title": "Latest",
                "stories": Once(
                    lambda: queries.paginate(
                        queries.latest_articles(), request, RIVER_PAGE_SIZE
                    )
                ),
            },
            template="news/river_page.html",
        )

    @path("authors/<slug:slug>/", name="author")
    def author(self, request, slug):
        author = get_object_or_404(Author, slug=slug)
        return self.render(
            request,
            context_overrides={
                "author": author,
                "river_title": author.name,
                "stories": Once(
                    lambda: queries.paginate(
                        queries.articles_by_author(author), request, RIVER_PAGE_SIZE
                    )
                ),
            },
            template="news/author_page.html",
        )

    @path("tags/<slug:slug>/", name="tag")
    def tag(self, request, slug):
        tag = get_object_or_404(Tag, slug=slug)
        return self.render(
            request,
            context_overrides={
                "tag": tag,
                "river_title": f"Tagged “{tag.name}”",
                "stories": Once(
                    lambda: queries.paginate(
                        queries.articles_by_tag(tag), request, RIVER_PAGE_SIZE
                    )
                ),
            },
            template="news/river_page.html",
        )


class SectionPage(SiteOnceMixin, Page):
    """A section of the site (News, Analysis, Video...): its stories, newest first."""

    intro = models.CharField(max_length=240, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["news.HomePage"]
    subpage_types = ["news.ArticlePage", "news.SeriesPage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["page_number"] = queries.page_number_key(request)
        context["stories"] = Once(
            lambda: queries.paginate(
                queries.latest_articles(section=self), request, RIVER_PAGE_SIZE
            )
        )
        return context


class SeriesPage(SiteOnceMixin, Page):
    """A recurring show, such as a weekly video or a podcast, and its numbered episodes.

    Episodes are ordinary articles that name the series and their number, so they
    appear in their section's river too.
    """

    kind = models.CharField(
        max_length=10, choices=SeriesKind.choices, default=SeriesKind.VIDEO
    )
    description = models.TextField(blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel_url = models.URLField(
        blank=True, help_text="The show's own channel or feed."
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("description"),
        FieldPanel("cover_image"),
        FieldPanel("channel_url"),
    ]
    parent_page_types = ["news.HomePage", "news.SectionPage"]
    subpage_types = []

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["episodes"] = queries.paginate(
            queries.series_episodes(self), request, RIVER_PAGE_SIZE
        )
        return context


@register_snippet
class Author(index.Indexed, ClusterableModel):
    """A person who writes for the site; their public page lists their stories."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    job_title = models.CharField(max_length=120, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    bio = models.TextField(blank=True)
    social_links = StreamField([("link", SocialLinkBlock())], blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("job_title"),
        FieldPanel("photo"),
        FieldPanel("bio"),
        FieldPanel("social_links"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_url(self, request=None) -> str:
        home = HomePage.objects.live().first()
        if home is None:
            return ""
        return home.url + home.reverse_subpage("author", kwargs={"slug": self.slug})


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "news.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticleAuthor(Orderable):
    """One byline on an article; the order is the order readers see."""

    page = ParentalKey(
        "news.ArticlePage", on_delete=models.CASCADE, related_name="article_authors"
    )
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="article_links"
    )

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["page", "author"], name="unique_author_per_article"
            ),
        ]


class ArticleCorrection(Orderable):
    """A dated correction or update, shown to readers at the end of the article."""

    page = ParentalKey(
        "news.ArticlePage", on_delete=models.CASCADE, related_name="corrections"
    )
    date = models.DateField(default=timezone.localdate)
    kind = models.CharField(
        max_length=12, choices=CorrectionKind.choices, default=CorrectionKind.CORRECTION
    )
    text = models.TextField()

    panels = [
        FieldRowPanel([FieldPanel("date"), FieldPanel("kind")]),
        FieldPanel("text"),
    ]


class ArticlePage(SiteOnceMixin, Page):
    """A story: our own reporting, a series episode, or a syndicated piece."""

    standfirst = models.TextField(
        max_length=600, help_text="The one-paragraph summary under the headline."
    )
    body = StreamField(ArticleBodyBlock())
    featured_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    featured_image_caption = models.CharField(max_length=300, blank=True)
    tags = ClusterTaggableManager(through=ArticleTag, blank=True)
    updated_at = models.DateTimeField(
        "Updated",
        null=True,
        blank=True,
        help_text="Set when the story changed in substance after publication.",
    )

    series = models.ForeignKey(
        SeriesPage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="episodes",
    )
    episode_number = models.PositiveIntegerField(null=True, blank=True)
    audio_file = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The episode's audio, for the podcast feed.",
    )
    audio_url = models.URLField(blank=True, help_text="Or the audio's address.")

    original_author = models.CharField(max_length=120, blank=True)
    original_publication = models.CharField(max_length=120, blank=True)
    original_url = models.URLField("Original URL", blank=True, max_length=500)
    via_source = models.CharField("Via", max_length=120, blank=True)
    via_url = models.URLField("Via URL", blank=True, max_length=500)
    canonical_url = models.URLField(
        "Canonical URL",
        blank=True,
        max_length=500,
        help_text="Search engines are pointed here instead of our copy.",
    )
    licence_note = models.CharField(max_length=240, blank=True)

    content_panels = [
        TitleFieldPanel("title", heading="Headline"),
        FieldPanel("standfirst"),
        InlinePanel("article_authors", label="Authors", min_num=1, heading="Authors"),
        MultiFieldPanel(
            [FieldPanel("featured_image"), FieldPanel("featured_image_caption")],
            heading="Featured image",
        ),
        FieldPanel("body"),
        FieldPanel("tags"),
        InlinePanel(
            "corrections",
            label="Correction or update",
            heading="Corrections and updates",
        ),
    ]
    syndication_panels = [
        MultiFieldPanel(
            [
                FieldPanel("original_author"),
                FieldPanel("original_publication"),
                FieldPanel("original_url"),
                FieldPanel("via_source"),
                FieldPanel("via_url"),
                FieldPanel("canonical_url"),
                FieldPanel("licence_note"),
            ],
            heading="Syndication",
        ),
    ]
    series_panels = [
        MultiFieldPanel(
            [
                FieldPanel("series"),
                FieldPanel("episode_number"),
                FieldPanel("audio_file"),
                FieldPanel("audio_url"),
            ],
            heading="Series episode",
        ),
    ]
    settings_panels = [
        FieldPanel("first_published_at", heading="Published on"),
        FieldPanel("updated_at"),
        *Page.settings_panels,
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Content"),
            ObjectList(
                syndication_panels + series_panels, heading="Syndication & series"
            ),
            ObjectList(Page.promote_panels, heading="Promote"),
            ObjectList(settings_panels, heading="Settings"),
            ObjectList([PageViewsPanel()], heading="Audience"),
        ]
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("standfirst"),
        index.SearchField("body"),
        index.FilterField("first_published_at"),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]

    parent_page_types = ["news.SectionPage"]
    subpage_types = []

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["series", "episode_number"], name="unique_episode_number"
            ),
        ]

    @cached_property
    def section(self):
        """The section this story is filed in: its parent, read once."""
        parent = None
        if self.path and len(self.path) > self.steplen:
            parent_path = self.path[: -self.steplen]
            parent = SectionPage.objects.filter(path=parent_path).first()
        return parent or self.get_parent().specific_deferred

    @property
    def published_on(self):
        return self.first_published_at or self.go_live_at

    @property
    def is_syndicated(self) -> bool:
        return bool(
            self.original_publication or self.original_author or self.via_source
        )

    @cached_property
    def tag_list(self) -> list[Tag]:
        """The story's tags, read once for the page, its data and related stories.

        Through the manager: in a preview the tags live in memory only.
        """
        return list(self.tags.all())

    @cached_property
    def authors(self) -> list[Author]:
        links = self.article_authors.all()
        if "article_authors" not in getattr(self, "_prefetched_objects_cache", {}):
            # Lists prefetch the bylines with their authors; a lone page joins them.
            links = links.select_related("author")
        return [link.author for link in links]

    def clean(self):
        super().clean()
        errors = {}
        if self.episode_number and not self.series_id:
            errors["series"] = "An episode number needs a series."
        if self.series_id and not self.episode_number:
            errors["episode_number"] = "An episode of a series needs its number."
        if self.series_id and self.episode_number:
            clash = (
                ArticlePage.objects.filter(
                    series_id=self.series_id, episode_number=self.episode_number
                )
                .exclude(pk=self.pk)
                .first()
            )
            if clash:
                errors["episode_number"] = (
                    f"Episode {self.episode_number} of this series is already "
                    f"“{clash.title}”."
                )
        if self.original_url and not self.original_publication:
            errors["original_publication"] = "Name the publication the URL belongs to."
        if self.via_url and not self.via_source:
            errors["via_source"] = "Name the source the via URL belongs to."
        if self.audio_file_id and self.audio_url:
            errors["audio_url"] = "Give an audio file or an audio URL, not both."
        if errors:
            raise ValidationError(errors)

    def prefetch_renditions(self) -> None:
        """Every rendition the story shows, in one query for all its images.

        Without it each image of the body and the featured image (shown, and
        shared at another size) asks for its rendition on its own.
        """
        if getattr(self, "_renditions_prefetched", False):
            return
        self._renditions_prefetched = True
        images = [
            block.value["image"]
            for block in self.body
            if block.block_type == "image" and block.value["image"] is not None
        ]
        if self.featured_image is not None:
            images.append(self.featured_image)
        images = [image for image in images if image.pk is not None]
        if images:
            prefetch_related_objects(images, "renditions")

    def body_with_renditions(self):
        self.prefetch_renditions()
        return self.body

    def share_image_url(self, site) -> str:
        from . import structured_data

        self.prefetch_renditions()
        return structured_data.share_image_url(self.featured_image, site)

    def author_paths(self) -> list[tuple[Author, str]]:
        """Each byline's author with the path of their page on this site."""
        home = self.get_site().root_page.specific
        return [
            (
                author,
                home.url + home.reverse_subpage("author", kwargs={"slug": author.slug}),
            )
            for author in self.authors
        ]

    def get_context(self, request, *args, **kwargs):
        from masthead.analytics.queries import view_count

        from . import structured_data

        context = super().get_context(request, *args, **kwargs)
        site = self.get_site()
        context["corrections"] = Once(lambda: list(self.corrections.all()))
        context["view_count"] = Once(lambda: view_count(self.pk))
        context["next_story"] = Once(lambda: queries.next_in_section(self))
        context["related_stories"] = Once(lambda: queries.related_articles(self))
        context["share_url"] = self.canonical_url or self.get_full_url(request)
        context["share_image"] = Once(lambda: self.share_image_url(site))
        context["body"] = Once(self.body_with_renditions)
        context["structured_data_key"] = "article"
        context["structured_data"] = Once(
            lambda: [
                structured_data.news_article(self, request),
                structured_data.breadcrumbs(self, request),
            ]
        )
        return context


class Once:
    """A context value computed when a template first reads it, then kept.

    Most of a page sits in cached fragments: what only they read is never
    computed while they are warm.
    """

    def __init__(self, compute):
        self._compute = compute
        self._done = False
        self._value = None

    def __call__(self):
        if not self._done:
            self._value = self._compute()
            self._done = True
        return self._value
