class InvalidLink(Exception):
    """A "my data" link that is forged, mangled, expired or made for another use."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ErasureRefused(Exception):
    """Erasing now would leave money moving or data half gone; nothing changed.

    `message` is safe to show the reader and says what to do.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
