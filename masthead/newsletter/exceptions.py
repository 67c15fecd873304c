class NewsletterError(Exception):
    """A newsletter change that cannot be made; the message is for the user."""


class InvalidToken(NewsletterError):
    """A confirmation link that is forged, damaged or expired."""


class NotSendable(NewsletterError):
    """An issue that cannot be sent in its state (already sent, no stories...)."""


class ImportRefused(NewsletterError):
    """A file that cannot be imported at all; the message says why, for the editor."""
