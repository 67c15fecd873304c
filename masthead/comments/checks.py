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
    if (
        conf.get("MASTHEAD_COMMENTS_AKISMET_KEY")
        and "{key}" not in conf.get("MASTHEAD_COMMENTS_AKISMET_URL")
        and not conf.get("MASTHEAD_COMMENTS_AKISMET_URL").startswith("http")
    ):
        errors.append(
            Error(
                "MASTHEAD_COMMENTS_AKISMET_URL must be an http(s) URL.",
                id="comments.E003",
            )
        )
    return errors
