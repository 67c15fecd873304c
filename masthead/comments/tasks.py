from django_tasks import task


@task()
def queue_comment_notifications_task(comment_id: int) -> int:
    from .subscriptions import queue_notifications

    return queue_notifications(comment_id)


@task()
def deliver_comment_notifications_task() -> int:
    from .subscriptions import deliver_due_notifications

    return deliver_due_notifications()


@task()
def send_moderator_digest_task() -> int:
    from .moderation import send_moderator_digest

    return send_moderator_digest()


@task()
def send_subscription_confirmation_task(subscription_id: int, attempt: int = 0) -> bool:
    """Mail a confirmation link; the row's id stands in for the reader's address,
    so that the queue keeps nothing of theirs once they erase their data."""
    from masthead.core.mailing import send_or_retry

    from .subscriptions import send_confirmation

    return send_or_retry(
        lambda: send_confirmation(subscription_id),
        send_subscription_confirmation_task,
        subscription_id,
        attempt=attempt,
    )
