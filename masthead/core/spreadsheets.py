"""CSV cells that are safe to open in a spreadsheet.

A spreadsheet runs a cell starting with one of FORMULA_STARTS as a formula, and
readers and donors type their own names (an address may even start with "=" or
"+"), so such a cell gets a leading apostrophe in every CSV we export.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse_formula(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def undo_defuse(value: str) -> str:
    """The value before `defuse_formula`: an export read back is the same data."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
