"""The newsletter in the Wagtail admin: lists, subscribers, and issues to send.

Editors compose an issue as a draft prefilled with the list's new stories,
preview the exact mail, send themselves a test, then send it now or schedule
it; an issue that has started going out is only watched (the progress page),
never edited. Subscribers are read here and only suppressed or erased: people
sign up themselves, and CSV import and export live in `csv_admin`.
"""

from wagtail.admin.viewsets.base import ViewSetGroup

from .issues import IssueViewSet
from .lists import NewsletterListViewSet
from .subscribers import SubscriberViewSet


class NewsletterMenu(ViewSetGroup):
    menu_label = "Newsletter"
    menu_name = "newsletter-group"
    menu_icon = "mail"
    menu_order = 260
    items = (IssueViewSet, NewsletterListViewSet, SubscriberViewSet)
