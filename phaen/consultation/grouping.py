"""Topic grouping of hearing comments: plain TF-IDF and greedy agglomeration, with no Django.

A planner answers hundreds of comments more easily in groups: first by the plan element they
are about, then, within an element, by topic. The method is meant to be explained in a sentence
to the people who read the groups, and to give the same groups every time:

1. **Terms.** Each comment body is normalised and segmented into words with nlpo3
   (`phaen.core.thai_text`). Latin words and alphanumerics (5G, Wi-Fi) are kept whole, and a
   short table folds the spellings of common loanwords to one form (อินเตอร์เน็ต → อินเทอร์เน็ต,
   แอพ → แอปพลิเคชัน, สมาร์ทซิตี้ → เมืองอัจฉริยะ). Stop words (PyThaiNLP's Thai list of about
   1,000 words, bundled with the package, plus particles and words every hearing comment uses,
   such as เห็นด้วย or ข้อเสนอ), numbers, punctuation and single characters are dropped.
2. **Weights.** Each term of a comment is weighted by TF-IDF over all the hearing's comments:
   (1 + log tf) × (log((1 + N) / (1 + df)) + 1), and each comment's vector is scaled to length
   one. Terms found in only one comment of the hearing cannot show that two comments share a
   topic, so they are left out of the vectors (they still show among that comment's terms).
3. **Groups.** Comments are split by element. Within an element every comment starts alone; the
   two groups whose comments are on average most alike (the mean cosine similarity of their
   pairs, which is the dot product of the groups' summed vectors divided by the product of
   their sizes) are merged, again and again, while that mean is at least `THRESHOLD`. Ties go
   to the pair with the lowest comment ids. Groups of fewer than `MIN_SIZE` comments are not
   kept: those comments stay ungrouped, for the planner to answer alone or to move.
4. **Names.** A group is named by its two or three highest-weighted terms (the summed vectors'
   largest weights, preferring terms that at least two of its comments share); its keywords
   are its eight highest-weighted terms.

Everything is sorted by comment id, term weight and then the term itself, so the result does
not depend on the order of the input or on Python's hash seed.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from phaen.core import thai_text

THRESHOLD = 0.25
"""The least mean cosine similarity between two groups' comments for them to be merged."""

MIN_SIZE = 2
"""The fewest comments a suggested group has; fewer stay ungrouped."""

KEYWORDS = 8
"""How many terms a group keeps as its keywords."""

NAME_TERMS = 3
"""The most terms in a group's name (at least two when the group has two terms)."""

NAME_SEPARATOR = " · "

# Spellings of the same loanword, folded to the Royal Society's spelling (or the Thai word).
# The left-hand forms are matched in the normalised text before segmentation, longest first,
# so a word the segmenter would cut (สมาร์ต|โฟน, แอ|ป) stays whole.
VARIANTS: Mapping[str, tuple[str, ...]] = {
    "อินเทอร์เน็ต": ("อินเทอร์เน็ต", "อินเตอร์เน็ต", "อินเตอร์เน็ท", "อินเทอร์เน็ท", "เน็ต", "internet"),
    "ไวไฟ": ("ไวไฟ", "wi-fi", "wifi"),
    "5g": ("5g", "5 g", "5จี", "ไฟว์จี"),
    "4g": ("4g", "4 g", "4จี"),
    "สมาร์ตโฟน": ("สมาร์ตโฟน", "สมาร์ทโฟน", "smartphone"),
    "แอปพลิเคชัน": (
        "แอปพลิเคชัน",
        "แอปพลิเคชั่น",
        "แอพพลิเคชั่น",
        "แอพพลิเคชัน",
        "แอปฯ",
        "แอพฯ",
        "แอป",
        "แอพ",
        "application",
        "app",
    ),
    "เมืองอัจฉริยะ": (
        "เมืองอัจฉริยะ",
        "สมาร์ตซิตี",
        "สมาร์ทซิตี้",
        "สมาร์ทซิตี",
        "สมาร์ตซิตี้",
        "smart city",
    ),
    "ดิจิทัล": ("ดิจิทัล", "ดิจิตอล", "ดิจิตัล", "digital"),
    "ออนไลน์": ("ออนไลน์", "online"),
    "เทคโนโลยี": ("เทคโนโลยี", "เทคโนโลยีย์", "technology"),
    "พ.ร.บ.": ("พ.ร.บ.", "พรบ.", "พรบ", "พ.ร.บ"),
}

# Words that say nothing about a comment's topic: particles, pronouns and function-word
# compounds (as nlpo3 cuts them) that the Thai list lacks, and the vocabulary of commenting.
EXTRA_STOPWORDS = frozenset(
    {
        "ครับผม",
        "นะครับ",
        "นะคะ",
        "จ้า",
        "จ้ะ",
        "ผม",
        "ดิฉัน",
        "หนู",
        "กระผม",
        "พวกเรา",
        "ตอนนี้",
        "อยากให้",
        "ขอให้",
        "คิดว่า",
        "เห็นว่า",
        "เห็นด้วย",
        "ไม่เห็นด้วย",
        "เสนอ",
        "เสนอให้",
        "เสนอแนะ",
        "ข้อเสนอ",
        "ข้อเสนอแนะ",
        "ความคิดเห็น",
        "ความเห็น",
        "ประเด็น",
        "ประชาชน",
        "เรื่อง",
        "แผน",
        "ร่าง",
        "ควรจะ",
        "ควรมี",
        "บ้าง",
        "แค่",
        "ที่จะ",
        "จะต้อง",
        "ให้กับ",
        "ไม่ได้",
        "ไม่มี",
        "มีการ",
        "ในการ",
        "ของการ",
        "การที่",
        "อยู่ใน",
        "อยู่แล้ว",
    }
)

_LATIN = r"[a-z0-9]+(?:[.\-][a-z0-9]+)*"
_HAS_LETTER = re.compile(r"[^\W\d_]")
_NUMBER = re.compile(r"^[\d.,:/%-]+$")


def _variant_table() -> tuple[re.Pattern[str], dict[str, str]]:
    canonical: dict[str, str] = {}
    for target, forms in VARIANTS.items():
        for form in forms:
            canonical[thai_text.normalize(form)] = target
    # Latin variants match whole words only; Thai ones anywhere (Thai has no spaces to bound them).
    alternatives = []
    for form in sorted(canonical, key=lambda f: (-len(f), f)):
        escaped = re.escape(form)
        alternatives.append(
            rf"(?<![a-z0-9]){escaped}(?![a-z0-9])" if form[0].isascii() else escaped
        )
    pattern = re.compile("|".join([*alternatives, _LATIN]))
    return pattern, canonical


_PATTERN, _CANONICAL = _variant_table()


# Words of PyThaiNLP's list that, in comments on a plan, often carry the topic: ข้อมูลเปิด (open
# data), เน็ตช้า (slow internet), เขียนโปรแกรม (coding), เก็บข้อมูล (data collection).
KEPT_WORDS = frozenset({"เปิด", "เปิดเผย", "ช้า", "เร็ว", "รวดเร็ว", "เขียน", "เก็บ"})


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Return the stop words: PyThaiNLP's bundled Thai list (when it loads) less
    `KEPT_WORDS`, and `EXTRA_STOPWORDS`.

    The list ships inside the pythainlp wheel, so it loads with no network. Should it ever fail
    to load, grouping still works, with the extra words only.
    """
    try:
        from pythainlp.corpus import thai_stopwords

        bundled = frozenset(thai_text.normalize(word) for word in thai_stopwords())
    except Exception:  # pragma: no cover - the corpus is part of the installed package
        bundled = frozenset()
    return (bundled - KEPT_WORDS) | EXTRA_STOPWORDS


def _keep(term: str, stop: frozenset[str]) -> bool:
    return (
        len(term) > 1
        and term not in stop
        and not _NUMBER.match(term)
        and bool(_HAS_LETTER.search(term))
    )


def terms(text: str) -> list[str]:
    """Return the topic-bearing words of `text`, with repeats.

    The loanwords of `VARIANTS` and the Latin words come first, then the Thai words in the
    order of the text (the order does not matter to the weights).

    >>> terms("อยากให้ขยายสัญญาณ 5G และอินเตอร์เน็ตไปถึงหมู่บ้าน 12 แห่งครับ")
    ['5g', 'อินเทอร์เน็ต', 'ขยาย', 'สัญญาณ', 'หมู่บ้าน']
    """
    stop = stopwords()
    found: list[str] = []

    def take(match: re.Match[str]) -> str:
        word = match.group()
        found.append(_CANONICAL.get(word, word))
        return "\n"  # a line break: the segmenter never joins words across it

    rest = _PATTERN.sub(take, thai_text.normalize(text))
    return [term for term in [*found, *thai_text.tokens(rest)] if _keep(term, stop)]


# --- Weights ---------------------------------------------------------------------------------

Vector = dict[str, float]


def document_frequencies(documents: Iterable[Sequence[str]]) -> Counter[str]:
    """Return in how many of `documents` (lists of terms) each term occurs."""
    df: Counter[str] = Counter()
    for doc in documents:
        df.update(set(doc))
    return df


def idf_weights(df: Mapping[str, int], n: int) -> dict[str, float]:
    """Return each term's smoothed inverse document frequency over `n` documents."""
    return {term: math.log((1 + n) / (1 + count)) + 1.0 for term, count in df.items()}


def tfidf(doc: Sequence[str], idf: Mapping[str, float]) -> Vector:
    """Return the TF-IDF vector of one document, scaled to length one (empty if no terms).

    Terms missing from `idf` are left out.
    """
    counts = Counter(term for term in doc if term in idf)
    raw = {term: (1.0 + math.log(tf)) * idf[term] for term, tf in counts.items()}
    norm = math.sqrt(sum(w * w for w in raw.values()))
    if not norm:
        return {}
    return {term: raw[term] / norm for term in sorted(raw)}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Return the cosine similarity of two vectors already scaled to length one."""
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(term, 0.0) for term, weight in a.items())


def top_terms(vector: Mapping[str, float], n: int) -> list[str]:
    """Return the `n` highest-weighted terms, ties broken by the term itself."""
    return [term for term, _ in sorted(vector.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


# --- Grouping --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """A comment to group: its id, the element it is about ("" for the whole hearing), its text."""

    id: int
    element_code: str
    body: str


@dataclass(frozen=True)
class Topic:
    """A suggested group: comments of one element on one topic, named by its top terms."""

    element_code: str
    comment_ids: tuple[int, ...]
    keywords: tuple[str, ...]
    name: str
    cohesion: float
    """The mean cosine similarity of the group's pairs of comments (0 to 1)."""


@dataclass(frozen=True)
class Grouping:
    """What `group_comments` found: the topics, the comments left alone, each comment's terms."""

    topics: tuple[Topic, ...]
    ungrouped: tuple[int, ...]
    comment_terms: dict[int, tuple[str, ...]] = field(default_factory=dict)
    """Each document's five highest-weighted terms, to explain why it sits where it does."""


class _Weights:
    """The terms and vectors of the documents being grouped, weighted over a whole corpus.

    `explain` weighs every term (to name groups and show a comment's terms); `link` leaves out
    the terms found in only one document of the corpus, which cannot link two comments.
    """

    def __init__(self, texts: Sequence[str], context: Iterable[str]) -> None:
        self.terms = [terms(text) for text in texts]
        context_terms = [terms(text) for text in context]
        df = document_frequencies([*self.terms, *context_terms])
        idf = idf_weights(df, len(self.terms) + len(context_terms))
        linking = {term: weight for term, weight in idf.items() if df[term] >= 2}
        self.explain = [tfidf(doc, idf) for doc in self.terms]
        self.link = [tfidf(doc, linking) for doc in self.terms]

    def describe(self, indices: Sequence[int]) -> tuple[tuple[str, ...], str]:
        """Return the keywords and the name of the group of these documents."""
        centroid: dict[str, float] = defaultdict(float)
        support: Counter[str] = Counter()
        for i in indices:
            for term, weight in self.explain[i].items():
                centroid[term] += weight
            support.update(self.explain[i].keys())
        ranked = top_terms(centroid, len(centroid))
        shared = [term for term in ranked if support[term] >= 2]
        keywords = [*shared, *(term for term in ranked if support[term] < 2)][:KEYWORDS]
        named = shared[:NAME_TERMS] if len(shared) >= 2 else keywords[:2]
        return tuple(keywords), NAME_SEPARATOR.join(named)

    def cohesion(self, indices: Sequence[int]) -> float:
        """Return the mean cosine similarity of the pairs among these documents."""
        if len(indices) < 2:
            return 1.0
        summed: dict[str, float] = defaultdict(float)
        squares = 0.0
        for i in indices:
            for term, weight in self.link[i].items():
                summed[term] += weight
                squares += weight * weight
        pairs = len(indices) * (len(indices) - 1) / 2
        return (sum(w * w for w in summed.values()) - squares) / 2 / pairs


def _cluster(vectors: Sequence[Vector], threshold: float) -> list[list[int]]:
    """Average-linkage agglomeration of unit vectors; returns lists of indices into `vectors`.

    Pair similarities come from an inverted index, so only pairs that share a term are
    computed. `links[a][b]` keeps the sum of the similarities between the members of clusters
    `a` and `b`; merging b into a adds b's sums to a's, and the mean is that sum divided by
    |a|·|b|. Each cluster keeps its best merge with a cluster of a higher index (the highest
    mean, then the lowest index), and a heap holds those bests, each stamped with its cluster's
    version so that a best made stale by a later merge is skipped. The pair merged next is thus
    the one with the highest mean, and among equal means the one with the lowest indices.
    """
    n = len(vectors)
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for index, vector in enumerate(vectors):
        for term, weight in vector.items():
            postings[term].append((index, weight))
    links: list[dict[int, float]] = [defaultdict(float) for _ in range(n)]
    for term in sorted(postings):
        posting = postings[term]
        for i, (a, wa) in enumerate(posting):
            row = links[a]
            for b, wb in posting[i + 1 :]:
                product = wa * wb
                row[b] += product
                links[b][a] += product

    members: list[list[int]] = [[i] for i in range(n)]
    best: list[tuple[float, int] | None] = [None] * n  # (-mean, partner), partner > the cluster
    stamp = [0] * n
    heap: list[tuple[float, int, int, int]] = []

    def mean(a: int, b: int) -> float:
        return links[a][b] / (len(members[a]) * len(members[b]))

    def offer(c: int, candidate: tuple[float, int] | None) -> None:
        best[c] = candidate
        stamp[c] += 1
        if candidate is not None:
            heapq.heappush(heap, (candidate[0], c, candidate[1], stamp[c]))

    def recompute(c: int) -> None:
        candidate: tuple[float, int] | None = None
        for other in links[c]:
            if other > c:
                value = mean(c, other)
                if value >= threshold:
                    key = (-value, other)
                    if candidate is None or key < candidate:
                        candidate = key
        offer(c, candidate)

    for c in range(n):
        recompute(c)
    while heap:
        _, a, b, version = heapq.heappop(heap)
        if version != stamp[a]:
            continue  # a's best changed since this entry was made
        members[a].extend(members[b])  # a < b: the merged cluster keeps the lower index
        members[b] = []
        row_a = links[a]
        row_a.pop(b, None)
        for other, total in links[b].items():
            if other != a:
                row_a[other] += total
                links[other][a] += total
                links[other].pop(b, None)
        links[b] = {}
        offer(b, None)
        recompute(a)
        for other in row_a:
            previous = best[other]
            if other > a:  # its pair with a is a's to keep; its best may have been b
                if previous is not None and previous[1] == b:
                    recompute(other)
            elif previous is not None and previous[1] in (a, b):
                recompute(other)
            else:
                value = mean(other, a)
                if value >= threshold and (previous is None or (-value, a) < previous):
                    offer(other, (-value, a))
    return [sorted(group) for group in members if group]


def group_comments(
    documents: Iterable[Document],
    *,
    context: Iterable[str] = (),
    threshold: float = THRESHOLD,
    min_size: int = MIN_SIZE,
) -> Grouping:
    """Group `documents` by element, then by topic.

    The weights are computed over the documents and `context`: the text of the hearing's other
    comments, which are not being grouped now (those already in a planner's groups). The result
    does not depend on the order of `documents`.
    """
    docs = sorted(documents, key=lambda d: d.id)
    weights = _Weights([d.body for d in docs], context)
    by_element: dict[str, list[int]] = defaultdict(list)
    for index, doc in enumerate(docs):
        by_element[doc.element_code].append(index)

    topics: list[Topic] = []
    ungrouped: list[int] = []
    for element in sorted(by_element):
        indices = by_element[element]
        for cluster in _cluster([weights.link[i] for i in indices], threshold):
            chosen = [indices[i] for i in cluster]
            if len(chosen) < min_size:
                ungrouped.extend(docs[i].id for i in chosen)
                continue
            keywords, name = weights.describe(chosen)
            topics.append(
                Topic(
                    element_code=element,
                    comment_ids=tuple(docs[i].id for i in chosen),
                    keywords=keywords,
                    name=name,
                    cohesion=round(weights.cohesion(chosen), 4),
                )
            )
    topics.sort(key=lambda t: (t.element_code, -len(t.comment_ids), t.comment_ids[0]))
    return Grouping(
        topics=tuple(topics),
        ungrouped=tuple(sorted(ungrouped)),
        comment_terms={
            doc.id: tuple(top_terms(weights.explain[i], 5)) for i, doc in enumerate(docs)
        },
    )


def describe(texts: Sequence[str], *, context: Iterable[str] = ()) -> tuple[tuple[str, ...], str]:
    """Return the keywords and the name that `group_comments` would give a group of `texts`.

    Used to name a group a planner makes by hand (a split, or a group of chosen comments).
    """
    if not texts:
        return (), ""
    weights = _Weights(texts, context)
    return weights.describe(range(len(texts)))
