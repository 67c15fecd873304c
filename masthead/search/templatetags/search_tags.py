import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def highlight(text, terms) -> SafeString:
    """`text` escaped, with whole-word, case-insensitive matches of `terms` in <mark>.

    The text is split on the matches before escaping, so a term never matches
    inside an entity that escaping produced (such as "amp" in "&amp;").
    """
    text = str(text or "")
    if not terms:
        return escape(text)
    alternatives = "|".join(
        re.escape(term) for term in sorted(terms, key=len, reverse=True)
    )
    pattern = re.compile(rf"(?<![^\W_])({alternatives})(?![^\W_])", re.IGNORECASE)
    parts = pattern.split(text)
    # re.split with one group alternates: text, match, text, match, ..., text.
    html = "".join(
        f"<mark>{escape(part)}</mark>" if index % 2 else escape(part)
        for index, part in enumerate(parts)
    )
    # nosemgrep: mark-safe-on-unescaped-value -- every part was escaped above
    return mark_safe(html)  # noqa: S308  # nosec B308, B703
