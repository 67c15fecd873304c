from django.db import models


class ExportKind(models.TextChoices):
    SUBSCRIBERS = "newsletter_subscribers", "Newsletter subscribers"
    DONATIONS = "donations", "Donations"
