from django_tasks import task

from . import frontend


@task()
def purge_site_from_edge_task(urls: list[str]) -> None:
    """Drop the whole site from nginx and the CDN (frontend.purge_site_from_edge)."""
    frontend.purge_site_from_edge(urls)
