"""Topic grouping itself (`phaen.consultation.grouping`): terms, weights, groups and names.

No database: the grouping is pure logic over (id, element, text).
"""

from __future__ import annotations

import random

from phaen.consultation import grouping
from phaen.consultation.grouping import Document, group_comments, terms
from tests.consultation.grouping_fixtures import COMMENTS, TOPIC


def documents(rows=COMMENTS) -> list[Document]:
    return [Document(number, element, body) for number, element, _topic, body in rows]


def topic_of(result: grouping.Grouping) -> dict[int, grouping.Topic]:
    return {pk: topic for topic in result.topics for pk in topic.comment_ids}


def together(result: grouping.Grouping, *numbers: int) -> bool:
    where = topic_of(result)
    return all(n in where for n in numbers) and len({id(where[n]) for n in numbers}) == 1


def apart(result: grouping.Grouping, a: int, b: int) -> bool:
    where = topic_of(result)
    return where.get(a) is None or where.get(b) is None or where[a] is not where[b]


# --- Terms -----------------------------------------------------------------------------------


def test_terms_drop_stop_words_numbers_and_particles():
    found = terms("อยากให้ขยายสัญญาณ 5G และอินเทอร์เน็ตไปถึงหมู่บ้าน 12 แห่งครับ ๒๕๖๙")

    assert found == ["5g", "อินเทอร์เน็ต", "ขยาย", "สัญญาณ", "หมู่บ้าน"]


def test_terms_fold_spellings_of_loanwords_and_keep_them_whole():
    assert terms("อินเตอร์เน็ตช้า") == terms("อินเทอร์เน็ตช้า") == ["อินเทอร์เน็ต", "ช้า"]
    assert terms("ใช้แอพไม่เป็น") == terms("ใช้แอปพลิเคชันไม่เป็น")
    assert "เมืองอัจฉริยะ" in terms("โครงการสมาร์ทซิตี้ของจังหวัด")
    assert "เมืองอัจฉริยะ" in terms("Smart City ของจังหวัด")
    assert "สมาร์ตโฟน" in terms("สอนใช้สมาร์ทโฟน")
    assert "ไวไฟ" in terms("Wi-Fi ฟรี")


def test_the_thai_stop_word_list_of_pythainlp_loads_offline():
    words = grouping.stopwords()

    assert len(words) > 1000  # PyThaiNLP bundles about 1,030 Thai stop words
    assert {"และ", "ของ", "ให้", "ครับ", "เห็นด้วย"} <= words
    assert not words & grouping.KEPT_WORDS
    assert "ข้อมูล" not in words


def test_tfidf_vectors_have_unit_length_and_rare_terms_weigh_more():
    docs = [terms(body) for _n, _e, _t, body in COMMENTS]
    idf = grouping.idf_weights(grouping.document_frequencies(docs), len(docs))
    vector = grouping.tfidf(terms(COMMENTS[20][3]), idf)  # comment 21: personal data

    assert abs(sum(w * w for w in vector.values()) - 1.0) < 1e-9
    assert idf["รั่วไหล"] > idf["ข้อมูล"]  # in two comments, against nine
    assert grouping.tfidf([], idf) == {}


# --- Groups ----------------------------------------------------------------------------------


def test_comments_on_the_same_topic_are_grouped_together():
    result = group_comments(documents())

    assert together(result, 1, 3, 5, 7)  # internet in villages
    assert together(result, 2, 4)  # 5G masts
    assert together(result, 8, 9, 11)  # smart city budget
    assert together(result, 12, 14, 15, 17)  # older people's digital skills
    assert together(result, 18, 19, 20)  # coding for students
    assert together(result, 21, 22, 23, 24, 25)  # personal data
    assert together(result, 26, 27, 28)  # open data


def test_comments_on_other_topics_are_kept_apart():
    result = group_comments(documents())

    assert apart(result, 1, 8)  # internet / smart city budget, same element
    assert apart(result, 12, 18)  # older people / students, same element
    assert apart(result, 21, 27)  # personal data / open data, same element
    assert apart(result, 9, 29)  # both on smart city budgets, but other elements


def test_groups_stay_within_one_element():
    result = group_comments(documents())
    element = {number: element for number, element, _topic, _body in COMMENTS}

    assert result.topics
    for topic in result.topics:
        assert {element[n] for n in topic.comment_ids} == {topic.element_code}


def test_each_group_holds_one_topic():
    result = group_comments(documents())

    for topic in result.topics:
        topics = {TOPIC[n] for n in topic.comment_ids} - {"mixed"}
        assert len(topics) == 1, (topic.name, topic.comment_ids)


def test_groups_are_named_by_their_highest_weighted_thai_terms():
    result = group_comments(documents())
    name = {TOPIC[t.comment_ids[0]]: t.name for t in result.topics}

    assert "อินเทอร์เน็ต" in name["net"] and "สัญญาณ" in name["net"]
    assert "งบประมาณ" in name["budget"] and "เมืองอัจฉริยะ" in name["budget"]
    assert "ผู้สูงอายุ" in name["elder"] and "อบรม" in name["elder"]
    assert "โปรแกรม" in name["coding"]
    assert "ส่วนบุคคล" in name["privacy"]
    assert "เปิด" in name["open"] and "ข้อมูล" in name["open"]
    for topic in result.topics:
        parts = topic.name.split(grouping.NAME_SEPARATOR)
        assert 2 <= len(parts) <= 3
        assert list(topic.keywords[: len(parts)]) == parts
        assert 0 < topic.cohesion <= 1


def test_a_comment_that_shares_no_topic_stays_ungrouped():
    lonely = Document(99, "grp-s2", "ถนนหน้าบ้านเป็นหลุมเป็นบ่อ น้ำท่วมขังทุกหน้าฝน")
    result = group_comments([*documents(), lonely])

    assert 99 in result.ungrouped
    assert 99 not in topic_of(result)


def test_every_comment_is_either_in_one_group_or_ungrouped():
    result = group_comments(documents())
    grouped = [n for topic in result.topics for n in topic.comment_ids]

    assert len(grouped) == len(set(grouped))
    assert sorted(grouped + list(result.ungrouped)) == [n for n, *_ in COMMENTS]


def test_grouping_is_deterministic_whatever_the_input_order():
    first = group_comments(documents())
    shuffled = documents()
    random.Random(5).shuffle(shuffled)

    assert group_comments(shuffled) == first
    assert group_comments(documents()) == first


def test_a_stricter_threshold_makes_smaller_groups():
    loose = group_comments(documents(), threshold=0.15)
    strict = group_comments(documents(), threshold=0.6)
    everything = group_comments(documents(), threshold=1.01)

    assert max(len(t.comment_ids) for t in strict.topics) < max(
        len(t.comment_ids) for t in loose.topics
    )
    assert everything.topics == ()
    assert len(everything.ungrouped) == len(COMMENTS)


def test_context_comments_weigh_terms_without_being_grouped():
    docs = documents()[:7]  # the internet comments only
    context = [body for _n, _e, _t, body in COMMENTS[7:]]
    result = group_comments(docs, context=context)

    assert {n for t in result.topics for n in t.comment_ids} <= {1, 2, 3, 4, 5, 6, 7}
    assert together(result, 1, 3, 5)


def test_describe_names_a_hand_made_group():
    bodies = [body for _n, _e, topic, body in COMMENTS if topic == "coding"]
    keywords, name = grouping.describe(bodies)

    assert "โปรแกรม" in name
    assert name.split(grouping.NAME_SEPARATOR) == list(keywords[: len(name.split(" · "))])
    assert grouping.describe([]) == ((), "")


def test_a_thousand_comments_are_grouped():
    """A sanity check of scale (the timings are in bench/grouping_scale.py): 1,000 comments on
    three elements, made by recombining the sentences above with numbers."""
    rng = random.Random(11)
    docs = []
    for pk in range(1, 1001):
        _number, _element, topic, body = rng.choice(COMMENTS)
        other = rng.choice([row for row in COMMENTS if row[2] == topic])[3]
        docs.append(
            Document(pk, f"e{pk % 3}", f"{body} {other.split(' ')[0]} ครั้งที่ {rng.randint(1, 999)}")
        )
    result = group_comments(docs)

    grouped = [n for topic in result.topics for n in topic.comment_ids]
    assert len(grouped) + len(result.ungrouped) == 1000
    assert len(set(grouped)) == len(grouped)
    assert 3 <= len(result.topics) <= 60


def _naive_average_linkage(
    vectors: list[dict[str, float]], threshold: float
) -> list[list[int]] | None:
    """The definition, computed the slow way: merge the pair of clusters with the highest mean
    pairwise cosine (ties: the lowest indices) while that mean is at least the threshold.

    Returns None when rounding could decide a step (two means, or a mean and the threshold,
    closer than 1e-9), where no order of float additions is more right than another."""
    clusters: dict[int, list[int]] = {i: [i] for i in range(len(vectors))}
    while True:
        means: list[tuple[float, int, int]] = []
        keys = sorted(clusters)
        for x, a in enumerate(keys):
            for b in keys[x + 1 :]:
                total = sum(
                    grouping.cosine(vectors[i], vectors[j])
                    for i in clusters[a]
                    for j in clusters[b]
                )
                means.append((total / (len(clusters[a]) * len(clusters[b])), a, b))
        if any(abs(mean - threshold) < 1e-9 for mean, _a, _b in means):
            return None
        eligible = sorted((m for m in means if m[0] >= threshold), key=lambda m: -m[0])
        if not eligible:
            return [sorted(members) for _, members in sorted(clusters.items())]
        if len(eligible) > 1 and eligible[0][0] - eligible[1][0] < 1e-9:
            return None
        _, a, b = eligible[0]
        clusters[a].extend(clusters.pop(b))


def test_clustering_matches_the_definition_of_average_linkage() -> None:
    """`_cluster` keeps per-cluster best merges in a heap; on random sparse vectors it merges
    exactly as the plain definition does (trials where rounding could decide are left out)."""
    rnd = random.Random(5)
    compared = 0
    for _ in range(200):
        n = rnd.randint(2, 14)
        vocabulary = rnd.randint(2, 8)
        vectors = []
        for _i in range(n):
            chosen = rnd.sample(range(vocabulary), rnd.randint(1, min(3, vocabulary)))
            raw = [rnd.uniform(0.5, 3.0) for _ in chosen]
            norm = sum(w * w for w in raw) ** 0.5
            vectors.append({f"t{t}": w / norm for t, w in zip(chosen, raw, strict=True)})
        threshold = rnd.choice([0.2, 0.35, 0.5])
        expected = _naive_average_linkage(vectors, threshold)
        if expected is None:
            continue
        compared += 1
        assert grouping._cluster(vectors, threshold) == expected
    assert compared > 150
