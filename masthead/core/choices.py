from django.db import models


class SocialNetwork(models.TextChoices):
    YOUTUBE = "youtube", "YouTube"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    TELEGRAM = "telegram", "Telegram"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    INSTAGRAM = "instagram", "Instagram"
    LINKEDIN = "linkedin", "LinkedIn"
    SOUNDCLOUD = "soundcloud", "SoundCloud"
    PATREON = "patreon", "Patreon"
    RSS = "rss", "RSS"
    WEBSITE = "website", "Website"
