import pytest
from django.test import override_settings

from masthead.newsletter import issues, sending
from masthead.newsletter.choices import DeliveryStatus, IssueStatus
from masthead.newsletter.models import Delivery
from masthead.newsletter.tests.fixtures import confirmed_subscribers
from masthead.newsletter.tests.smtp_sink import running_sink

pytestmark = pytest.mark.django_db


def test_an_edition_reaches_every_confirmed_subscriber_once_through_smtp(
    daily_list, article
):
    confirmed_subscribers(daily_list, 30)
    issue = issues.create_edition(daily_list)
    with running_sink() as sink, override_settings(**sink.settings()):
        sending.start_sending(issue)
        report = sending.send_issue(issue.pk)
    assert report.sent == 30 and report.finished
    assert len(sink.messages) == 30
    assert len({m["To"] for m in sink.messages}) == 30
    message = sink.messages[0]
    assert article.title in message.get_body(("html",)).get_content()
    assert "List-Unsubscribe=One-Click" == message["List-Unsubscribe-Post"]
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert set(Delivery.objects.values_list("status", flat=True)) == {
        DeliveryStatus.SENT
    }
