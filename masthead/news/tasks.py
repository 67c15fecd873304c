from django_tasks import task

from . import services


@task()
def publish_due_pages_task() -> str:
    return services.publish_due_pages()
