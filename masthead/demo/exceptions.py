class DemoError(Exception):
    """Demo content cannot be generated here; the message says why and what to do."""
