"""Thai normalisation and segmentation used by search."""

from __future__ import annotations

from phaen.core import thai_text


def test_normalise_folds_digits_case_zero_width_and_vowel_order():
    assert thai_text.normalize("  ๒๕๖๕\u200b  DEPA ") == "2565 depa"
    assert thai_text.normalize("เเผน") == "แผน"


def test_tokens_segment_thai_without_spaces():
    words = thai_text.tokens("แผนส่งเสริมเศรษฐกิจดิจิทัลจังหวัดขอนแก่น (ดีป้า)")
    assert words == ["แผน", "ส่งเสริม", "เศรษฐกิจ", "ดิจิทัล", "จังหวัด", "ขอนแก่น", "ดีป้า"]


def test_search_document_lets_a_segmented_query_match():
    document = thai_text.search_document("แผนส่งเสริมเศรษฐกิจดิจิทัลจังหวัดขอนแก่น")
    for word in thai_text.tokens("ขอนแก่น ดิจิทัล"):
        assert word in document
    assert "ป่าไม้" not in document
