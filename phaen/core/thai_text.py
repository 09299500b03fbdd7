"""Thai text normalisation and word segmentation for search, with no Django dependency.

Thai is written without spaces between words, so search compares word tokens rather than raw
substrings of whitespace-split text. Segmentation uses PyThaiNLP with the nlpo3 engine (newmm in
Rust: about 1.5 M characters a second on the development machine, against 0.3 M for pure-Python
newmm; docs/adr/0004-thai-search.md). Text is always
segmented line by line: newmm is superlinear on very long strings.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pythainlp.tokenize import word_tokenize
from pythainlp.util import normalize as thai_normalize
from pythainlp.util import thai_digit_to_arabic_digit

_SPACE = re.compile(r"\s+")
_PUNCT_ONLY = re.compile(r"^[\W_]+$")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# Letters and digits that stay glued to a word; anything else separates tokens.
_SEPARATORS = re.compile(r"[\s\"'“”‘’()\[\]{}<>«»,;:!?/\\|*+=~^`@#$%&–—-]+")


def normalize(text: str) -> str:
    """Return `text` folded for comparison.

    NFC, zero-width characters removed, Thai vowel and tone-mark order repaired (เเ → แ),
    Thai digits turned into Arabic digits, case folded, white space collapsed.
    """
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    text = thai_normalize(text)
    text = thai_digit_to_arabic_digit(text)
    return _SPACE.sub(" ", text).strip().casefold()


@lru_cache(maxsize=4096)
def _segment_line(line: str) -> tuple[str, ...]:
    tokens = word_tokenize(line, engine="nlpo3", keep_whitespace=False)
    out: list[str] = []
    for token in tokens:
        for piece in _SEPARATORS.split(token):
            piece = piece.strip(".")
            if piece and not _PUNCT_ONLY.match(piece):
                out.append(piece)
    return tuple(out)


def tokens(text: str) -> list[str]:
    """Return the normalised word tokens of `text`, in order."""
    out: list[str] = []
    for line in normalize(text).splitlines() or [""]:
        if line.strip():
            out.extend(_segment_line(line))
    return out


def search_document(*parts: str | None) -> str:
    """Return the text stored for searching: normalised, with tokens separated by spaces.

    Both the segmented tokens and the normalised original are kept, so a query matches whether
    or not the segmenter split a compound the same way for the document and for the query.
    """
    texts = [normalize(p) for p in parts if p]
    segmented = " ".join(" ".join(tokens(t)) for t in texts)
    return f" {segmented} | {' | '.join(texts)} "
