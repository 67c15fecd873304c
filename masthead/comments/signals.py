from django.dispatch import Signal

# Sent after commit when a comment has been stored (any status). Args: comment.
comment_posted = Signal()
# Sent after commit when what readers see of an article's comments changed
# (a comment approved, edited, removed, voted on, or the thread closed). Args:
# page_id. The front-end cache purge listens here.
thread_changed = Signal()
