from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from masthead.accounts.services import reset_second_factor


class Command(BaseCommand):
    help = (
        "Forget a person's authenticator app and recovery codes (a lost phone): "
        "they set up a new app at their next sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No account is called {username!r}.")
        removed = reset_second_factor(user)
        self.stdout.write(
            f"{username}: {removed} device{'s' if removed != 1 else ''} removed; "
            "they set up a new authenticator app at their next sign-in."
        )
