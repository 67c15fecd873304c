"""Wagtail's account forms, with the limits every form that mails must keep."""

from wagtail.admin.forms.auth import PasswordResetForm as WagtailPasswordResetForm

from masthead.core import mail_quota

RESET_LINK_MAIL = "admin-reset-link"


class PasswordResetForm(WagtailPasswordResetForm):
    """Anyone may type a colleague's address here: the reset mail takes a share
    of that address's mail budget, and past it the form answers the same and
    sends nothing."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        if mail_quota.reserve(to_email, RESET_LINK_MAIL):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name=html_email_template_name,
            )
