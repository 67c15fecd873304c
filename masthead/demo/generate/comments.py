"""Reader discussion under the newest demo stories, written from our own phrases.

Only the newest stories of a run get comments (a few dozen at most), so a run of
100,000 stories costs the same handful of queries as a run of 120. Everything a
comment says, who wrote it and when depends on the seed and the stories' dates.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from masthead.comments import conf
from masthead.comments.choices import CommentStatus
from masthead.comments.models import Comment, Thread
from masthead.comments.rendering import avatar_seed, content_hash, render_body

from . import words

COMMENTED_STORIES = 40
MAX_PER_STORY = 9
REPLY_SHARE = 0.35
PENDING = (3, 6)
POOL_SIZE = 48

FIRST_NAMES = (
    "Ada", "Bram", "Celia", "Dov", "Edda", "Femi", "Greta", "Hal", "Ines", "Jory",
    "Kemal", "Lise", "Marek", "Nell", "Oona", "Piet", "Quinn", "Rosa", "Soren",
    "Tilde", "Ugo", "Vera", "Wim", "Yara", "Zeno", "Alma", "Bodhi", "Cato", "Dagny",
    "Elio", "Freya", "Gus", "Hedda", "Ivo", "Juno", "Kit", "Lorna", "Milo",
)  # fmt: skip
INITIALS = "ABCDEFGHJKLMNPRSTVW"
HANDLE_FIRST = (
    "ferrow", "lowtide", "quarry", "mere", "saltern", "ferry", "alder", "brine",
    "hilltop", "millstreet", "oxley", "wickham", "lamplit", "riverbank",
)  # fmt: skip
HANDLE_SECOND = (
    "reader", "walker", "watcher", "cyclist", "neighbour", "gardener", "baker",
    "commuter", "teacher", "skeptic", "regular", "resident",
)  # fmt: skip
DOMAINS = ("example.org", "example.net")

OPINIONS = (
    "Glad someone finally wrote this down in plain language.",
    "This is the part of {place} nobody at the council seems to visit.",
    "I have lived in {place} for {years} years and this matches what I see.",
    "The numbers look worse every time you lot revisit them.",
    "Honestly, the plan reads better on paper than it will on our street.",
    "Nothing here surprises anyone who sat through {weekday}'s meeting.",
    "Good reporting, though the other side deserved a longer quote.",
    "It took {years} years and a newspaper to get a straight answer.",
    "My neighbours in {place} have been saying this since the spring.",
    "Fair summary, but the real cost lands on people who rent.",
    "I would rather see the money go to buses than to another study.",
    "Whoever drafted this policy has never waited for the late ferry.",
    "Worth reading twice, especially the bit about who pays.",
    "Sceptical, but willing to be proven wrong by the autumn.",
)
QUESTIONS = (
    "Does anyone know whether the {weekday} session is open to the public?",
    "Will there be a follow-up once the vote is actually counted?",
    "Is there a way to read the full report, not just the summary?",
    "Who exactly signed off on this, and when?",
    "Has anybody asked the people in {place} what they want?",
    "Can you say how this compares with what {place} did {years} years ago?",
    "What happens to the waiting list if this falls through?",
    "Where do residents send objections, and by what date?",
)
CORRECTIONS = (
    "Small correction: the meeting moved to {weekday}, not the day in the piece.",
    "Minor point, the bridge in the photo is in {place}, not the town centre.",
    "I think the figure should be {count}, going by the published minutes.",
    "One quibble: the consultation closed earlier than the article says.",
    "The bus route mentioned was cut two years back, for what it is worth.",
)
THANKS = (
    "Thanks for covering this, nobody else did.",
    "Appreciate the reporting, keep it up.",
    "Thank you for explaining it without the jargon.",
    "Cheers for following up on this one.",
    "Grateful the Dispatch still sends someone to these meetings.",
)
REPLY_OPENERS = (
    "Fair point, {name}.",
    "Not sure I agree, {name}.",
    "Same experience here.",
    "I had the same question.",
    "That is a generous reading of it.",
    "Good catch.",
    "You are not wrong.",
    "Respectfully, the opposite happened on our road.",
)
REPLY_FOLLOWS = (
    "The detail is in the appendix if you scroll far enough.",
    "We raised it at the residents' meeting and got a shrug.",
    "It depends a lot on which side of the river you live.",
    "Give it a year and we will know who was right.",
    "The minutes from {weekday} say something slightly different.",
    "Either way, people in {place} deserve a clear timetable.",
)
SECOND_PARAGRAPHS = (
    "Also, the old mill footpath is still shut, if anyone is following that up.",
    "On a lighter note, the market in {place} was lovely this weekend.",
    "Anyway, I will be at the next meeting with a flask and a lot of questions.",
    "Edit to add: I have written to my councillor and will share any reply here.",
    "For what it is worth, my family has used that service for {years} years.",
)
LINKS = (  # (the sentence, the path it points at)
    ("The minutes are posted here: {url}", "minutes/{year}/{weekday_l}"),
    ("I wrote up my own notes from the session: {url}", "notes/valley-meeting"),
    ("There is a residents' map of the streets at {url}", "maps/affected-streets"),
    ("Our open letter on this is at {url} if anyone wants to sign.", "open-letter"),
)
COUNTS = ("forty", "sixty-two", "eighteen", "three hundred", "nine", "a hundred")


@dataclass(frozen=True)
class Commenter:
    name: str
    email: str
    url: str


@dataclass
class CommentDraft:
    """One generated comment; `reply_to` and `parent` are indexes into the run."""

    index: int
    page_id: int
    author: Commenter
    body: str
    created_at: datetime
    depth: int = 0
    parent: int | None = None
    reply_to: int | None = None
    status: str = CommentStatus.APPROVED
    upvotes: int = 0
    downvotes: int = 0


def commenter_pool(seed: int, size: int = POOL_SIZE) -> tuple[Commenter, ...]:
    """Invented readers: "first name + initial" or a handle, at reserved domains."""
    rng = random.Random(f"commenters:{seed}")  # nosec B311 # seeded: the same demo on every run
    pool, handles = [], set()
    while len(pool) < size:
        if rng.random() < 0.6:
            first = rng.choice(FIRST_NAMES)
            initial = rng.choice(INITIALS)
            name = f"{first} {initial}."
            handle = f"{first}.{initial}".lower()
        else:
            handle = f"{rng.choice(HANDLE_FIRST)}_{rng.choice(HANDLE_SECOND)}"
            if rng.random() < 0.4:
                handle += str(rng.randint(2, 99))
            name = handle
        if handle in handles:
            continue
        handles.add(handle)
        url = ""
        if rng.random() < 0.25:
            url = f"https://{handle.replace('.', '-').replace('_', '-')}.example.net/"
        pool.append(Commenter(name, f"{handle}@{rng.choice(DOMAINS)}", url))
    return tuple(pool)


class _Phrases:
    """Fills one comment's templates; all choices come from the run's rng."""

    def __init__(self, rng: random.Random, published: datetime):
        self.rng = rng
        self.slots = {
            "place": rng.choice(words.PLACES),
            "weekday": rng.choice(words.WEEKDAYS),
            "years": str(rng.randint(3, 30)),
            "count": rng.choice(COUNTS),
            "year": str(published.year),
        }
        self.slots["weekday_l"] = self.slots["weekday"].lower()

    def fill(self, template: str, **extra: str) -> str:
        return template.format(**self.slots, **extra)

    def pick(self, bank: Sequence[str], **extra: str) -> str:
        return self.fill(self.rng.choice(bank), **extra)

    def body(self, answering: str | None) -> str:
        rng = self.rng
        if answering is not None:
            first = self.pick(REPLY_OPENERS, name=answering.split()[0])
            sentences = [first, self.pick(REPLY_FOLLOWS)]
        else:
            kind = rng.choices(
                (OPINIONS, QUESTIONS, CORRECTIONS, THANKS), weights=(5, 3, 1, 2)
            )[0]
            sentences = [self.pick(kind)]
            if rng.random() < 0.6:
                sentences.append(
                    self.pick(OPINIONS if kind is not OPINIONS else THANKS)
                )
        sentences = list(dict.fromkeys(sentences))[:3]
        if rng.random() < 0.25 and len(sentences) < 3:
            sentences.append(self.pick(QUESTIONS))
        text = " ".join(sentences)
        if rng.random() < 0.15:
            text += "\n\n" + self.pick(SECOND_PARAGRAPHS)
        if rng.random() < 0.08:
            line, path = rng.choice(LINKS)
            url = f"https://example.org/{self.fill(path)}"
            text += "\n\n" + self.fill(line, url=url)
        return text


def draft_comments(
    articles: Sequence[tuple[int, datetime]],
    seed: int,
    stories: int = COMMENTED_STORIES,
) -> list[CommentDraft]:
    """The comments for the newest `stories` of (page id, first published) pairs.

    The newest story always gets a discussion; the others get 0–9 comments. Reply
    placement follows `services.post_comment`: a reply to a comment at the deepest
    level sits beside it, under the same parent, still naming it in `reply_to`.
    """
    max_depth = conf.get("MASTHEAD_COMMENTS_MAX_DEPTH")
    rng = random.Random(f"comments:{seed}")  # nosec B311 # seeded: the same demo on every run
    pool = commenter_pool(seed)
    newest = sorted(articles, key=lambda a: (a[1], a[0]), reverse=True)[:stories]
    drafts: list[CommentDraft] = []
    for position, (page_id, published) in enumerate(newest):
        count = (
            rng.randint(5, MAX_PER_STORY)
            if position == 0
            else rng.choice((0, 0, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9))
        )
        on_page: list[CommentDraft] = []
        bodies: set[str] = set()
        for _ in range(count):
            target = None
            if on_page and rng.random() < REPLY_SHARE:
                # Recent comments draw most replies, as in a live thread.
                target = on_page[-1 - min(int(rng.expovariate(0.7)), len(on_page) - 1)]
            phrases = _Phrases(rng, published)
            body = phrases.body(target.author.name if target else None)
            for _retry in range(5):
                if body not in bodies:
                    break
                body = phrases.body(target.author.name if target else None)
            else:
                continue  # the same words twice on one article would be refused
            bodies.add(body)
            author = rng.choice(pool)
            if target is None:
                created = published + timedelta(minutes=rng.randint(4, 36 * 60))
                parent, depth = None, 0
            else:
                created = target.created_at + timedelta(minutes=rng.randint(2, 12 * 60))
                parent = target
                if target.depth >= max_depth - 1 and target.parent is not None:
                    parent = drafts[target.parent]
                depth = min(parent.depth + 1, max_depth - 1)
            draft = CommentDraft(
                index=len(drafts),
                page_id=page_id,
                author=author,
                body=body,
                created_at=created,
                depth=depth,
                parent=None if target is None else parent.index,
                reply_to=None if target is None else target.index,
                upvotes=rng.choice((0, 0, 0, 1, 1, 2, 3, 5, 8, 13)),
                downvotes=rng.choice((0, 0, 0, 0, 0, 1, 1, 2, 4)),
            )
            drafts.append(draft)
            on_page.append(draft)
    _hold_some(drafts, rng, newest[0][0] if newest else None)
    return drafts


def _hold_some(drafts: list[CommentDraft], rng: random.Random, newest_id) -> None:
    """Leave a few comments waiting for a moderator, none that others answer."""
    answered = {d.parent for d in drafts} | {d.reply_to for d in drafts}
    leaves = [d for d in drafts if d.index not in answered and d.page_id != newest_id]
    for draft in rng.sample(leaves, min(rng.randint(*PENDING), len(leaves))):
        draft.status = CommentStatus.PENDING
        draft.upvotes = draft.downvotes = 0


def write_demo_comments(articles: Sequence[tuple[int, datetime]], seed: int) -> int:
    """Store the discussion for a run's newest stories; returns how many comments.

    `articles` are the run's (page id, first published) pairs. Rows go in with
    bulk inserts and the threads' counts are set once, instead of the per-comment
    recount `post_comment` does, which would notify subscribers and cost a dozen
    queries per comment.
    """
    drafts = draft_comments(articles, seed)
    if not drafts:
        return 0
    rows = [
        Comment(
            page_id=draft.page_id,
            depth=draft.depth,
            author_name=draft.author.name,
            author_email=draft.author.email,
            author_url=draft.author.url,
            avatar_seed=avatar_seed(draft.author.email, draft.author.name),
            body=draft.body,
            body_html=render_body(draft.body),
            status=draft.status,
            submission_key=None,
            content_hash=content_hash(draft.page_id, draft.body),
            upvotes=draft.upvotes,
            downvotes=draft.downvotes,
            created_at=draft.created_at,
            published_at=(
                draft.created_at + timedelta(minutes=draft.index % 17)
                if draft.status == CommentStatus.APPROVED
                else None
            ),
        )
        for draft in drafts
    ]
    visible: dict[int, int] = {}
    for draft in drafts:
        approved = draft.status == CommentStatus.APPROVED
        visible[draft.page_id] = visible.get(draft.page_id, 0) + approved
    now = timezone.now()
    with transaction.atomic():
        Comment.objects.bulk_create(rows)
        # The tree links need the new primary keys, so they follow the insert.
        replies = []
        for draft, row in zip(drafts, rows, strict=True):
            if draft.reply_to is not None:
                row.parent = rows[draft.parent]
                row.reply_to = rows[draft.reply_to]
                replies.append(row)
        if replies:
            Comment.objects.bulk_update(replies, ["parent", "reply_to"])
        Thread.objects.bulk_create(
            [
                Thread(page_id=page_id, visible_count=count, changed_at=now)
                for page_id, count in visible.items()
            ],
            update_conflicts=True,
            unique_fields=["page"],
            update_fields=["visible_count", "changed_at"],
        )
    return len(rows)
