"""Writing styles that turn one filled frame into the many ways people post: dialect, emoji, tags, typos."""

from __future__ import annotations

import random
import re

from kernel.morphemes import morphemes

# 三重弁 / 関西弁 endings and words, applied as plain substitutions.
DIALECT_SUBS: list[tuple[str, tuple[str, ...]]] = [
    ("してる", ("しとる", "しとる", "してんねん")),
    ("なってる", ("なっとる", "なってんで", "なっとるやん")),
    ("来てる", ("来とる", "きとる")),
    ("きてる", ("きとる", "きてんで")),
    ("ない", ("へん", "やん", "ん")),
    ("だよ", ("やで", "やに", "やよ")),
    ("だね", ("やね", "やな")),
    ("本当", ("ほんま", "ほんと")),
    ("とても", ("めっちゃ", "えらい")),
    ("すごい", ("えらい", "めっちゃ", "すっごい")),
    ("だった", ("やった",)),
    ("でしょ", ("やろ",)),
    ("怖い", ("こわい", "おそがい")),
    ("疲れた", ("えらかった", "しんどかった")),
]
DIALECT_TAILS: tuple[str, ...] = ("やに", "やで", "やんか", "やわ", "だもんで", "やな", "わ", "ねん")
EMOJI_COMMON: tuple[str, ...] = ("😱", "😭", "💦", "🙏", "😂", "🤣", "✨", "😇", "😢", "‼️", "…", "😰", "👀", "🥲")
EMOJI_HAZARD: tuple[str, ...] = ("🌊", "🔥", "⚠️", "🚨", "☔", "🌀", "⚡", "🏠", "🚒", "🆘")
HASHTAGS: tuple[str, ...] = (
    "#三重",
    "#三重県",
    "#大雨",
    "#地震",
    "#台風",
    "#拡散希望",
    "#防災",
    "#津市",
    "#四日市",
    "#伊勢",
    "#鈴鹿",
    "#松阪",
    "#桑名",
    "#災害",
    "#雨",
    "#今日の一枚",
    "#日常",
    "#拡散お願いします",
    "#停電",
)
PREFIXES_ANY: tuple[str, ...] = (
    "",
    "",
    "",
    "",
    "え、",
    "まって、",
    "やばい ",
    "【拡散希望】",
    "速報 ",
    "ちょっと ",
    "あー ",
    "@mie_bosai ",
    "RT ",
    "正直",
    "ねえ",
    "うわ",
)
RUMOUR_PREFIXES: tuple[str, ...] = (
    "未確認だけど",
    "友達から聞いたんだけど",
    "LINEで回ってきた：",
    "らしい情報：",
    "噂では",
    "家族から連絡、",
)
QUESTION_TAILS: tuple[str, ...] = ("？", "って本当？", "、大丈夫かな", "？うちだけ？", "、誰か状況わかる？")
ENGLISH_SUBS: list[tuple[str, tuple[str, ...]]] = [
    ("やばい", ("yabai", "ヤバい", "ヤバ")),
    ("助けて", ("help", "HELP", "たすけて")),
    ("地震", ("earthquake", "地震")),
    ("停電", ("blackout", "停電")),
    ("火事", ("fire", "火事")),
    ("怖い", ("scary", "こわ")),
    ("すごい", ("crazy", "すご")),
]
ENGLISH_TAILS: tuple[str, ...] = (" OMG", " lol", " help pls", " stay safe", " be careful", " wtf", " so scary")
SMALL_KANA = str.maketrans({"っ": "つ", "ゃ": "や", "ゅ": "ゆ", "ょ": "よ"})


def _sub_once(rng: random.Random, text: str, subs: list[tuple[str, tuple[str, ...]]]) -> str:
    for src, options in rng.sample(subs, len(subs)):
        if src in text:
            return text.replace(src, rng.choice(options), 1)
    return text


def dialect(rng: random.Random, text: str) -> str:
    """Rewrite one or two phrases into Mie / Kansai speech and maybe add a dialect tail."""
    text = _sub_once(rng, _sub_once(rng, text, DIALECT_SUBS), DIALECT_SUBS)
    if rng.random() < 0.4:
        text = re.sub(r"[。！!]*$", "", text) + rng.choice(DIALECT_TAILS)
    return text


def typo(rng: random.Random, text: str) -> str:
    """Introduce one realistic slip: a dropped or doubled character, a swap, a stretched vowel, big kana."""
    if len(text) < 6:
        return text
    i = rng.randrange(1, len(text) - 2)
    kind = rng.randrange(5)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    if kind == 2:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 3:
        return text[:i] + "ー" * rng.randint(1, 3) + text[i:]
    return text.translate(SMALL_KANA)


def code_switch(rng: random.Random, text: str) -> str:
    """Swap a word into English or romaji, or add an English tail, as bilingual posters do."""
    if rng.random() < 0.5:
        return _sub_once(rng, text, ENGLISH_SUBS)
    return text + rng.choice(ENGLISH_TAILS)


def decorate(rng: random.Random, text: str, *, hazard: bool) -> tuple[str, list[str]]:
    """Apply a random mix of styles; return the text and the names of the styles used."""
    used: list[str] = []
    steps = (
        ("dialect", 0.3, lambda t: dialect(rng, t)),
        ("code_switch", 0.1, lambda t: code_switch(rng, t)),
        ("typo", 0.15, lambda t: typo(rng, t)),
    )
    for name, p, fn in steps:
        if rng.random() < p:
            text, used = fn(text), [*used, name]
    prefix = rng.choice(PREFIXES_ANY)
    if prefix:
        text, used = prefix + text, [*used, "prefix"]
    if rng.random() < 0.35:
        pool = EMOJI_COMMON + (EMOJI_HAZARD if hazard or rng.random() < 0.4 else ())
        text, used = text + "".join(rng.choices(pool, k=rng.randint(1, 3))), [*used, "emoji"]
    if rng.random() < 0.25:
        tags = " ".join(rng.sample(HASHTAGS, rng.randint(1, 3)))
        text, used = f"{text} {tags}", [*used, "hashtag"]
    if rng.random() < 0.1:
        text, used = text.replace("、", " ").replace("。", " "), [*used, "no_punct"]
    return text.strip(), used


_KANJI = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf々]")
_KANA_OR_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff々]")
_KATA_TO_HIRA = {c: c - 0x60 for c in range(ord("ァ"), ord("ヶ") + 1)}
_CONTENT_POS = {"名詞", "動詞", "形容詞", "副詞", "代名詞", "形状詞", "感動詞"}


def has_kanji(text: str) -> bool:
    """Whether the text has any kanji for plain_kana to rewrite."""
    return bool(_KANJI.search(text))


def plain_kana(text: str, *, spaced: bool) -> str:
    """Rewrite kanji words in hiragana by their MeCab reading; ``spaced`` also splits words as 分かち書き."""
    parts: list[str] = []
    done = 0
    for word in morphemes(text):
        surface = word.surface
        if _KANJI.search(surface) and word.kana:
            surface = word.kana.translate(_KATA_TO_HIRA)
        after_word = bool(parts) and bool(_KANA_OR_KANJI.match(parts[-1][-1:]))
        gap = text[done : word.start] or (" " if spaced and after_word and word.pos[0] in _CONTENT_POS else "")
        parts.append(gap + surface)
        done = word.end
    return "".join(parts).strip()
