from django_tasks import task


@task()
def send_my_data_link_task(email: str, attempt: int = 0) -> bool:
    from masthead.core.mailing import send_or_retry

    from .services import send_link

    return send_or_retry(
        lambda: send_link(email), send_my_data_link_task, email, attempt=attempt
    )
