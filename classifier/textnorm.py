"""How a post's text is written down for the classifier, in training and in serving alike.

The real training text was normalised when it was collected (links and @-names as placeholders); a served
post must reach the model the same way, or a link or a handle the model never saw moves its score.
"""

from __future__ import annotations

import random
import re
import unicodedata

URL_TOKEN = "[URL]"
MENTION_TOKEN = "@user"

_URL_RE = re.compile(r"(?:https?|ftp)://[^\s<>\"']+|www\.[A-Za-z0-9-]+\.[^\s<>\"']+", re.IGNORECASE)
_MENTION_RE = re.compile(r"(?<![A-Za-z0-9_.+-])@[A-Za-z0-9_]{1,30}")
_SPACE_RE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC, URLs and @mentions as placeholders, every run of white space (newlines too) as one space."""
    text = unicodedata.normalize("NFKC", text)
    text = _URL_RE.sub(URL_TOKEN, text)
    text = _MENTION_RE.sub(MENTION_TOKEN, text)
    return _SPACE_RE.sub(" ", text).strip()


# The forms a post often takes, as normalise writes them: with a link, addressed to someone, retweeted.
POST_FORMS = (
    "{} " + URL_TOKEN,
    MENTION_TOKEN + " {}",
    "RT " + MENTION_TOKEN + ": {}",
    "RT " + MENTION_TOKEN + ": {} " + URL_TOKEN,
)


def with_post_forms(texts: list[str], share: float, seed: int) -> list[str]:
    """The texts, a seeded ``share`` of them put in one of the POST_FORMS, for training.

    Most links, @-names and retweets of the real training posts are in `other` posts, and the written
    corpus has none, so without this a link or a retweet prefix alone moved a served score by tenths.
    """
    rng = random.Random(seed)
    return [rng.choice(POST_FORMS).format(text) if rng.random() < share else text for text in texts]
