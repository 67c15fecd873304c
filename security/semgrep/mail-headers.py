# ruff: noqa
# Examples for `semgrep --test`: the flagged lines are wrong on purpose.
import smtplib
from email.message import EmailMessage
from email.mime.text import MIMEText

from django.core.mail import EmailMultiAlternatives, send_mail


def by_hand(request, host):
    # ruleid: mail-built-outside-django
    message = MIMEText(request.POST["body"])
    message["Subject"] = request.POST["subject"]
    # ruleid: mail-built-outside-django
    other = EmailMessage()
    other["From"] = request.POST["email"]
    # ruleid: mail-built-outside-django
    server = smtplib.SMTP(host, timeout=10)
    # ruleid: mail-built-outside-django
    server.sendmail("news@example.org", ["a@example.org"], message.as_string())
    # ruleid: mail-built-outside-django
    server.send_message(other)
    # ruleid: mail-built-outside-django
    server.putcmd("data")


def through_django(request):
    # ok: mail-built-outside-django
    send_mail(request.POST["subject"], "body", None, ["editor@example.org"])
    # ok: mail-built-outside-django
    mail = EmailMultiAlternatives(
        request.POST["subject"], "body", to=["editor@example.org"]
    )
    # ok: mail-built-outside-django
    mail.send()
