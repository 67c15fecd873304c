"""StreamField blocks shared by more than one app."""

from wagtail import blocks

from .choices import SocialNetwork


class SocialLinkBlock(blocks.StructBlock):
    network = blocks.ChoiceBlock(choices=SocialNetwork.choices)
    url = blocks.URLBlock(label="URL")
    label = blocks.CharBlock(
        required=False, help_text="Shown instead of the network's name, if set."
    )

    class Meta:
        icon = "link"

    def get_label(self, value) -> str:
        return value.get("label") or SocialNetwork(value["network"]).label
