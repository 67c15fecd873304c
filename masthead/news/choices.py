from django.db import models


class SeriesKind(models.TextChoices):
    VIDEO = "video", "Video"
    PODCAST = "podcast", "Podcast"


class CorrectionKind(models.TextChoices):
    CORRECTION = "correction", "Correction"
    UPDATE = "update", "Update"
