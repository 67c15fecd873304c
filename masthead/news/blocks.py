"""The blocks an article body is written in."""

from django.utils.functional import cached_property
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from .embeds import resolve_embed

INLINE_FEATURES = [
    "bold",
    "italic",
    "link",
    "superscript",
    "subscript",
    "strikethrough",
]
PARAGRAPH_FEATURES = [*INLINE_FEATURES, "ol", "ul"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200)
    level = blocks.ChoiceBlock(
        choices=[("h2", "Heading"), ("h3", "Subheading")], default="h2"
    )

    class Meta:
        icon = "title"
        template = "news/blocks/heading.html"


class BlockQuoteBlock(blocks.StructBlock):
    quote = blocks.RichTextBlock(features=PARAGRAPH_FEATURES)
    source = blocks.CharBlock(required=False, help_text="Who said or wrote it.")
    source_url = blocks.URLBlock(required=False, label="Source URL")
    editorial_note = blocks.CharBlock(
        required=False, help_text="e.g. (bold italics added)"
    )

    class Meta:
        icon = "openquote"
        template = "news/blocks/block_quote.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False)
    credit = blocks.CharBlock(required=False)

    class Meta:
        icon = "image"
        template = "news/blocks/image.html"


class PullQuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(max_length=400)
    attribution = blocks.CharBlock(required=False)

    class Meta:
        icon = "pick"
        template = "news/blocks/pull_quote.html"


class MediaEmbedValue(blocks.StructValue):
    @cached_property
    def embed(self):
        return resolve_embed(self.get("url", ""))


class MediaEmbedBlock(blocks.StructBlock):
    """A YouTube or SoundCloud player loaded on click; any other URL is a link."""

    url = blocks.URLBlock(label="URL", help_text="A YouTube or SoundCloud address.")
    title = blocks.CharBlock(required=False, help_text="Names the video for readers.")

    class Meta:
        icon = "media"
        template = "news/blocks/embed.html"
        value_class = MediaEmbedValue


class RelatedLinkBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False, label="URL")
    title = blocks.CharBlock(required=False, help_text="Defaults to the page's title.")

    class Meta:
        icon = "link"
        template = "news/blocks/related_link.html"

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "url": blocks.BlockValidationError("Choose a page or give a URL.")
                }
            )
        if value.get("url") and not value.get("page") and not value.get("title"):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "title": blocks.BlockValidationError(
                        "A link to another site needs a title."
                    )
                }
            )
        return value


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, icon="pilcrow")
    heading = HeadingBlock()
    block_quote = BlockQuoteBlock()
    image = ImageBlock()
    pull_quote = PullQuoteBlock()
    embed = MediaEmbedBlock()
    related_link = RelatedLinkBlock()
    divider = blocks.StaticBlock(
        admin_text="A horizontal rule.",
        icon="horizontalrule",
        template="news/blocks/divider.html",
    )
