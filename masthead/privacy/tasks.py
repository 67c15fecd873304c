from django_tasks import task

from masthead.core.mailing import send_or_retry

from . import services


@task()
def send_my_data_link_task(link_id: int, attempt: int = 0) -> bool:
    return send_or_retry(
        lambda: services.send_link(link_id),
        send_my_data_link_task,
        link_id,
        attempt=attempt,
    )


@task()
def forget_expired_links_task() -> int:
    return services.forget_expired_links()
