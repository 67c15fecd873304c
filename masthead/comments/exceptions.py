class CommentError(Exception):
    """Base for the comment app's refusals."""


class CommentRejected(CommentError):
    """A submission was refused; `errors` maps form field names to messages.

    The field "__all__" carries a message that belongs to the form as a whole.
    """

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class FormTokenError(CommentError):
    """The signed form token is missing, forged, expired, too fresh or reused."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class EditNotAllowed(CommentError):
    """The edit/delete token is wrong or its window has passed."""


class LinkNotValid(CommentError):
    """A mailed link that changes nothing: unknown, used, replaced or withdrawn."""


class LinkExpired(LinkNotValid):
    """A mailed confirmation link older than MASTHEAD_COMMENTS_CONFIRM_SECONDS."""
