"""A small template writer: news sentences from the word banks, never the same twice.

Each story keeps one topic, place, institution and issue throughout, so its
paragraphs read as one piece; the other slots change sentence by sentence.
"""

import random
from html import escape

from . import words

NEWS = "news"
ANALYSIS = "analysis"
VIDEO = "video"


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def headline_form(text: str) -> str:
    """'the harbour board' -> 'Harbour board': headlines drop the article."""
    if text.startswith("the "):
        text = text[4:]
    return capitalise(text)


class _Slots(dict):
    """One sentence's slot values, chosen on first use so a repeated slot agrees."""

    def __init__(self, writer: "Writer"):
        super().__init__(writer.fixed)
        self.writer = writer

    def __missing__(self, key: str) -> str:
        if key.endswith("_h"):
            value = headline_form(self[key[:-2].lower()])
        elif key[:1].isupper():
            value = capitalise(self[key.lower()])
        else:
            value = self.writer.pick(key, self)
        self[key] = value
        return value


class Writer:
    """Fills templates for one story; everything it chooses comes from `rng`."""

    def __init__(
        self,
        rng: random.Random,
        topic: words.Topic,
        people: tuple[str, ...],
        author: str,
    ):
        self.rng = rng
        self.topic = topic
        self.people = people
        place = rng.choice(words.PLACES)
        self.fixed = {
            "actor": rng.choice(topic.actors),
            "thing": rng.choice(topic.things),
            "group": rng.choice(topic.groups),
            "action": rng.choice(topic.actions),
            "event": rng.choice(topic.events),
            "place": place,
            "author": author,
            "newsroom": words.NEWSROOM,
        }
        self._other_places = tuple(p for p in words.PLACES if p != place)
        self._other_things = tuple(t for t in topic.things if t != self.fixed["thing"])
        self._quotes = topic.quotes + topic.quotes + words.GENERIC_QUOTES
        self._roles = topic.roles + words.GENERIC_ROLES

    @property
    def place(self) -> str:
        return self.fixed["place"]

    @property
    def thing(self) -> str:
        return self.fixed["thing"]

    def pick(self, key: str, slots: _Slots) -> str:
        rng = self.rng
        if key == "role":
            return rng.choice(self._roles).format_map(slots)
        if key == "money":
            return f"${rng.choice((1.2, 2.5, 3.8, 4.1, 6.5, 9.0, 14.7))} million"
        if key == "pct":
            return str(rng.randrange(8, 64))
        if key == "minutes":
            return str(rng.randrange(4, 15))
        choices = {
            "place2": self._other_places,
            "thing2": self._other_things,
            "person": self.people,
            "quote": self._quotes,
            "finding": self.topic.findings,
            "count": words.COUNTS,
            "small": words.SMALL_COUNTS,
            "weekday": words.WEEKDAYS,
            "month": words.MONTHS,
            "when_past": words.WHEN_PAST,
            "when_future": words.WHEN_FUTURE,
            "deadline": words.DEADLINES,
            "decided": words.DECIDED,
            "benefit": words.BENEFITS,
        }
        if key not in choices:
            raise KeyError(key)
        return rng.choice(choices[key])

    def fill(self, template: str) -> str:
        return template.format_map(_Slots(self))

    def sentences(self, bank: tuple[str, ...], count: int) -> list[str]:
        """`count` sentences from `bank`, none repeated until the bank runs out."""
        chosen = []
        while len(chosen) < count:
            chosen.extend(self.rng.sample(bank, min(len(bank), count - len(chosen))))
        return [self.fill(template) for template in chosen]

    def paragraph_html(self, sentences: list[str]) -> str:
        return "<p>" + escape(" ".join(sentences), quote=False) + "</p>"

    def list_html(self, items: list[str]) -> str:
        return (
            "<ul>"
            + "".join(f"<li>{escape(item, quote=False)}</li>" for item in items)
            + "</ul>"
        )
