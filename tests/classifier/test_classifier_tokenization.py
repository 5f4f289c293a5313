"""Vocab building and the MeCab + WordPiece tokenizer."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

from transformers import AutoTokenizer, BertJapaneseTokenizer

from classifier.examples import DATA_DIR
from classifier.tokenization import SPECIAL_TOKENS, batch_encoder, build_vocab, make_tokenizer

SHIPPED_MODEL = Path(__file__).resolve().parents[2] / "classifier" / "model"


def test_vocab_has_specials_chars_and_frequent_words(tmp_path: Path) -> None:
    texts = ["川が氾濫して浸水", "川が氾濫しそう", "浸水した"]
    n = build_vocab(texts, tmp_path / "vocab.txt", size=2000, min_count=2)
    vocab = (tmp_path / "vocab.txt").read_text(encoding="utf-8").splitlines()
    assert len(vocab) == n
    assert vocab[: len(SPECIAL_TOKENS)] == list(SPECIAL_TOKENS)
    assert "氾濫" in vocab and "浸水" in vocab  # words seen twice
    assert "##濫" in vocab and "濫" in vocab  # every character, whole and as continuation
    assert len(set(vocab)) == len(vocab)


def test_tokenizer_uses_mecab_words_and_falls_back_to_characters(tmp_path: Path) -> None:
    build_vocab(["川が氾濫して家が浸水してる", "川が氾濫して家が浸水"], tmp_path / "vocab.txt", size=2000)
    tok = make_tokenizer(tmp_path / "vocab.txt")
    assert tok.tokenize("川が氾濫") == ["川", "が", "氾濫"]
    pieces = tok.tokenize("濫水")  # unseen word: character pieces, not [UNK]
    assert "[UNK]" not in pieces and pieces[0] == "濫"
    assert tok.word_tokenizer_type == "mecab"


def test_tokenizer_round_trips_through_save_pretrained(tmp_path: Path) -> None:
    build_vocab(["台風で停電した"] * 2, tmp_path / "vocab.txt", size=2000)
    tok = make_tokenizer(tmp_path / "vocab.txt")
    tok.save_pretrained(tmp_path / "saved")
    again = AutoTokenizer.from_pretrained(str(tmp_path / "saved"))
    assert again("台風で停電した")["input_ids"] == tok("台風で停電した")["input_ids"]


def test_batch_encoder_gives_the_tokenizers_ids_without_its_generic_path() -> None:
    """The shipped tokenizer on the test split and awkward text: the direct look-up must give the same ids."""
    tok = AutoTokenizer.from_pretrained(str(SHIPPED_MODEL))
    with (DATA_DIR / "test.jsonl").open(encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    texts += ["ｶﾀｶﾅと全角ＡＢＣ１２３", "Flooding near Tsu station!! 🌧️", "濫" * 300, "改行\nと\tタブ"]
    texts += ["＃拡散希望 @user", ""]
    expected = tok(texts, truncation=True, max_length=40)["input_ids"]
    encode = batch_encoder(tok, 40)
    with mock.patch.object(BertJapaneseTokenizer, "__call__", side_effect=AssertionError("generic path")):
        assert encode(texts) == expected
    assert max(len(ids) for ids in expected) == 40  # truncation was exercised


def test_batch_encoder_keeps_special_tokens_written_in_a_post() -> None:
    tok = AutoTokenizer.from_pretrained(str(SHIPPED_MODEL))
    text = "川があふれた[SEP]助けて"
    ids = batch_encoder(tok, 96)([text])[0]
    assert ids == tok(text)["input_ids"] and ids.count(tok.sep_token_id) == 2
