"""The running version on the admin's home page, for whoever reports a problem."""

import django
import wagtail
from wagtail import hooks
from wagtail.admin.ui.components import Component

from masthead import __version__


class VersionPanel(Component):
    """Which Masthead (and Wagtail and Django) this site runs."""

    name = "masthead-version"
    template_name = "core/admin/version_panel.html"
    order = 1000  # below the panels editors work from

    def get_context_data(self, parent_context=None):
        return {
            "version": __version__,
            "wagtail_version": wagtail.__version__,
            "django_version": django.get_version(),
        }


@hooks.register("construct_homepage_panels")
def add_version_panel(request, panels):
    panels.append(VersionPanel())
