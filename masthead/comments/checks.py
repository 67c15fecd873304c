from django.core.checks import Error, register

from . import conf


@register()
def check_comment_settings(app_configs, **kwargs):
    errors = []
    depth = conf.get("MASTHEAD_COMMENTS_MAX_DEPTH")
    if not isinstance(depth, int) or depth < 1:
        errors.append(
            Error(
                f"MASTHEAD_COMMENTS_MAX_DEPTH must be a whole number of at least 1, "
                f"not {depth!r}.",
                id="comments.E001",
            )
        )
    for name in (
        "MASTHEAD_COMMENTS_RATE_PER_IP",
        "MASTHEAD_COMMENTS_RATE_PER_EMAIL",
        "MASTHEAD_COMMENTS_VOTE_RATE_PER_IP",
        "MASTHEAD_COMMENTS_SUBSCRIBE_RATE_PER_IP",
    ):
        value = conf.get(name)
        if not (
            isinstance(value, tuple | list)
            and len(value) == 2
            and all(isinstance(n, int) and n > 0 for n in value)
        ):
            errors.append(
                Error(
                    f"{name} must be (count, seconds), both above 0, not {value!r}.",
                    id="comments.E002",
                )
            )
    akismet_url = str(conf.get("MASTHEAD_COMMENTS_AKISMET_URL"))
    if conf.get("MASTHEAD_COMMENTS_AKISMET_KEY") and not akismet_url.startswith(
        ("http://", "https://")
    ):
        errors.append(
            Error(
                f"MASTHEAD_COMMENTS_AKISMET_URL must be an http(s) URL, "
                f"not {akismet_url!r}.",
                id="comments.E003",
            )
        )
    return errors
