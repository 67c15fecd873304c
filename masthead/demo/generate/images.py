"""Pictures for the demo, drawn with Pillow: abstract illustrations and portraits.

Every picture is a function of its arguments, so a seed always draws the same ones.
"""

import io
import random
from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFont

ILLUSTRATION_SIZE = (1200, 675)
PORTRAIT_SIZE = 400
PALETTES = (
    ("#0f3d4a", "#1d6a7a", "#f2c14e", "#f7f3e3"),
    ("#3b1f2b", "#8a3b12", "#e8a87c", "#f6efe6"),
    ("#16302b", "#4b5d16", "#c9d66b", "#f1f4e1"),
    ("#1e1b3a", "#2f4b8a", "#7fb3d5", "#eef4fa"),
    ("#2b1433", "#6b2f6b", "#e07a9b", "#fbeff3"),
    ("#2d2a12", "#9a6a00", "#f0b429", "#fff7e0"),
)


@cache
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return (int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16))


def _gradient(rng: random.Random, size: tuple[int, int], top: str, bottom: str):
    style = rng.choice(("vertical", "horizontal", "radial"))
    if style == "radial":
        mask = Image.radial_gradient("L")
    else:
        mask = Image.linear_gradient("L")
        if style == "horizontal":
            mask = mask.transpose(Image.Transpose.ROTATE_90)
    mask = mask.resize(size)
    return Image.composite(
        Image.new("RGB", size, _rgb(bottom)), Image.new("RGB", size, _rgb(top)), mask
    )


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, fmt, quality=82, optimize=True)
    else:
        image.save(buffer, fmt, optimize=True)
    return buffer.getvalue()


@lru_cache(maxsize=64)  # drawing is pure; tests and reruns reuse it
def illustration(seed: int, number: int, word: str) -> bytes:
    """A JPEG of overlapping shapes on a gradient, with `word` across the corner."""
    rng = random.Random(f"illustration:{seed}:{number}")  # nosec B311 # seeded: the same demo on every run
    width, height = ILLUSTRATION_SIZE
    dark, mid, bright, light = rng.choice(PALETTES)
    image = _gradient(rng, ILLUSTRATION_SIZE, dark, mid)
    overlay = Image.new("RGBA", ILLUSTRATION_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for _ in range(rng.randrange(5, 11)):
        colour = (*_rgb(rng.choice((bright, light, mid))), rng.randrange(40, 150))
        x, y = rng.randrange(-200, width), rng.randrange(-200, height)
        extent = rng.randrange(80, 520)
        shape = rng.choice(("circle", "rectangle", "triangle", "stripe"))
        if shape == "circle":
            draw.ellipse((x, y, x + extent, y + extent), fill=colour)
        elif shape == "rectangle":
            draw.rectangle((x, y, x + extent, y + extent // 2), fill=colour)
        elif shape == "triangle":
            draw.polygon(
                [(x, y + extent), (x + extent // 2, y), (x + extent, y + extent)],
                fill=colour,
            )
        else:
            draw.line(
                (x, 0, x + extent, height), fill=colour, width=rng.randrange(8, 40)
            )
    image = Image.alpha_composite(image.convert("RGBA"), overlay)
    draw = ImageDraw.Draw(image)
    font = _font(150)
    draw.text((64, height - 64), word, font=font, fill=_rgb(light), anchor="ls")
    return _encode(image.convert("RGB"), "JPEG")


@lru_cache(maxsize=64)  # drawing is pure; tests and reruns reuse it
def portrait(initials: str, colour: str) -> bytes:
    """A PNG of `initials` on a coloured disc: an author photo for the demo."""
    size = PORTRAIT_SIZE
    image = Image.new("RGB", (size, size), (244, 241, 234))
    draw = ImageDraw.Draw(image)
    draw.ellipse((16, 16, size - 16, size - 16), fill=_rgb(colour))
    draw.text(
        (size // 2, size // 2),
        initials,
        font=_font(160),
        fill=(255, 255, 255),
        anchor="mm",
    )
    return _encode(image, "PNG")


@lru_cache(maxsize=64)  # drawing is pure; tests and reruns reuse it
def cover(seed: int, title: str) -> bytes:
    """A series cover: an illustration with the show's title on it."""
    rng = random.Random(f"cover:{seed}:{title}")  # nosec B311 # seeded: the same demo on every run
    dark, mid, bright, light = rng.choice(PALETTES)
    image = _gradient(rng, ILLUSTRATION_SIZE, dark, mid)
    draw = ImageDraw.Draw(image)
    width, height = ILLUSTRATION_SIZE
    for ring in range(6):
        inset = 60 + ring * 45
        draw.ellipse(
            (width - 560 + inset, inset - 120, width + 120 - inset, 560 - inset),
            outline=_rgb(bright),
            width=6,
        )
    draw.text((64, height - 80), title, font=_font(110), fill=_rgb(light), anchor="ls")
    return _encode(image, "JPEG")
