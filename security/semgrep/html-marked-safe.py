# ruff: noqa
# Examples for `semgrep --test`: the flagged lines are wrong on purpose.
import nh3
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from masthead.comments import rendering
from masthead.comments.rendering import render_body


def marked(request, comment, items, raw_html):
    # ruleid: mark-safe-on-unescaped-value
    mark_safe(request.GET["q"])
    # ruleid: mark-safe-on-unescaped-value
    mark_safe(f"<b>{comment.author_name}</b>")
    # ruleid: mark-safe-on-unescaped-value
    mark_safe("<b>" + comment.author_name + "</b>")
    # ruleid: mark-safe-on-unescaped-value
    SafeString(raw_html)
    # ruleid: mark-safe-on-unescaped-value
    mark_safe(escape(comment.author_name) + raw_html)

    # ok: mark-safe-on-unescaped-value
    mark_safe("<br>")
    # ok: mark-safe-on-unescaped-value
    mark_safe(escape(comment.author_name))
    # ok: mark-safe-on-unescaped-value
    mark_safe(conditional_escape(comment.author_name))
    # ok: mark-safe-on-unescaped-value
    SafeString(nh3.clean(raw_html))
    # ok: mark-safe-on-unescaped-value
    mark_safe(render_body(comment.body))
    # ok: mark-safe-on-unescaped-value
    mark_safe(rendering.render_body(comment.body))
    # ok: mark-safe-on-unescaped-value
    mark_safe(format_html("<b>{}</b>", comment.author_name))


def formatted(comment, items, template):
    # ruleid: format-html-without-literal-template
    format_html(f"<b>{comment.author_name}</b>")
    # ruleid: format-html-without-literal-template
    format_html("<b>%s</b>" % comment.author_name)
    # ruleid: format-html-without-literal-template
    format_html("<b>" + comment.author_name + "</b>")
    # ruleid: format-html-without-literal-template
    format_html("<b>{}</b>".format(comment.author_name))
    # ruleid: format-html-without-literal-template
    format_html(template, comment.author_name)
    # ruleid: format-html-without-literal-template
    format_html_join("", f"<li>{comment.author_name}</li>", items)

    # ok: format-html-without-literal-template
    format_html("<b>{}</b>", comment.author_name)
    # ok: format-html-without-literal-template
    format_html_join("", "<li>{}</li>", ((item,) for item in items))
