class InvalidLink(Exception):
    """A "my data" link that is forged, mangled, expired or made for another use."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class LinkUsed(InvalidLink):
    """A genuine link that has erased once, or whose address was erased since."""

    status = 410

    def __init__(self):
        super().__init__(
            "This link has already been used to erase your data, so it opens "
            "nothing any more. Ask for a new one to see what we hold now."
        )


class ErasureRefused(Exception):
    """Erasing now would leave money moving or data half gone; nothing changed.

    `message` is safe to show the reader and says what to do.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
