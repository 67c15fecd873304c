from datetime import date

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from masthead.demo.exceptions import DemoError
from masthead.demo.generate.drafts import DEFAULT_UNTIL
from masthead.demo.services import generate_demo


class _Raw:
    """Lets tqdm redraw its line through a command's OutputWrapper."""

    def __init__(self, wrapper):
        self.wrapper = wrapper
        self.encoding = getattr(wrapper, "encoding", None)  # lets tqdm draw blocks

    def write(self, text: str) -> None:
        self.wrapper.write(text, style_func=lambda line: line, ending="")

    def flush(self) -> None:
        self.wrapper.flush()


class Command(BaseCommand):
    help = (
        "Fill the site with demo content: the News, Analysis and Video sections, "
        "eight authors, thirty tags, a weekly video show and a podcast, and "
        "--articles stories of generated prose with drawn pictures. The same --seed "
        "and --until always give the same content. Run it again to add more stories "
        "to the existing demo sections: tags, pictures and authors of the same name "
        "are reused, and the site's name and settings are left alone. For a clean "
        "slate, delete the database file and run `manage.py migrate` first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles",
            type=int,
            default=120,
            help="How many stories to add (default 120).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Decides all of the content."
        )
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            default=DEFAULT_UNTIL,
            help=(
                "Stories are dated in the weeks before this day, YYYY-MM-DD "
                f"(default {DEFAULT_UNTIL.isoformat()})."
            ),
        )
        parser.add_argument(
            "--quiet", action="store_true", help="No progress bar and no summary."
        )

    def handle(self, *args, articles, seed, until, quiet=False, **options):
        verbosity = 0 if quiet else options.get("verbosity", 1)
        isatty = getattr(self.stderr, "isatty", lambda: False)
        bar = tqdm(
            total=articles,
            unit=" stories",
            file=_Raw(self.stderr),
            disable=verbosity == 0 or not isatty(),
            dynamic_ncols=True,
        )
        try:
            with bar:
                report = generate_demo(
                    articles, seed=seed, until=until, progress=bar.update
                )
        except DemoError as error:
            raise CommandError(str(error)) from error
        for warning in report.warnings:
            self.stderr.write(warning)
        if verbosity == 0:
            return
        episodes = ", ".join(
            f"{count} of {title}" for title, count in report.episodes.items()
        )
        seconds = sum(report.seconds.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {report.articles:,} demo stories "
                f"(episodes: {episodes or 'none'}) in {seconds:.1f} s; "
                f"{report.sections_created} new sections, "
                f"{report.authors_created} new authors, {report.tags} tags, "
                f"{report.comments:,} reader comments, "
                f"{report.views:,} views in the last 30 days, "
                f"{report.donations:,} donations, "
                f"{report.newsletter_subscribers:,} newsletter subscribers."
            )
        )
        if verbosity > 1:
            for phase, value in report.seconds.items():
                self.stdout.write(f"  {phase}: {value:.1f} s")
