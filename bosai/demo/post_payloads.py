"""Scenario posts in each channel's real wire format: X API v2 stream payload, Mastodon Status, webhook JSON."""

from __future__ import annotations

import hashlib
import html
import json
from datetime import UTC, datetime
from typing import Any, Final

from bosai.demo.scenario_loader import ScenarioPost

X_ID_BASE: Final = 1_836_000_000_000_000_000
MASTODON_ID_BASE: Final = 113_100_000_000_000_000
MASTODON_HOST: Final = "https://mstdn.example.jp"
X_RULE: Final = {"id": "1836000000000000001", "tag": "mie-bosai"}


def _number(post_id: str) -> int:
    digits = "".join(ch for ch in post_id if ch.isdigit())
    return int(digits) if digits else int(hashlib.sha256(post_id.encode()).hexdigest()[:8], 16)


def _user_id(author: str) -> str:
    return str(int(hashlib.sha256(author.encode()).hexdigest()[:12], 16))


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def tweet_id(post_id: str) -> str:
    """Stable numeric X id of a scenario post."""
    return str(X_ID_BASE + _number(post_id))


def x_payload(post: ScenarioPost, media_base: str) -> dict[str, Any]:
    """``{"data", "includes", "matching_rules"}`` as one line of the X v2 filtered stream."""
    tid, uid = tweet_id(post.id), _user_id(post.author)
    data: dict[str, Any] = {"id": tid, "text": post.text, "author_id": uid, "created_at": _utc(post.at),
                            "lang": post.lang, "edit_history_tweet_ids": [tid]}
    includes: dict[str, Any] = {"users": [{"id": uid, "name": post.author, "username": post.author}]}
    if post.geo:
        data["geo"] = {"coordinates": {"type": "Point", "coordinates": [post.geo[1], post.geo[0]]}}
    if post.media:
        keys = [f"3_{tid}{i}" for i in range(len(post.media))]
        data["attachments"] = {"media_keys": keys}
        includes["media"] = [{"media_key": k, "type": "photo", "url": f"{media_base}/{name}"}
                             for k, name in zip(keys, post.media, strict=True)]
    if post.repost_of:
        data["referenced_tweets"] = [{"type": "retweeted", "id": tweet_id(post.repost_of)}]
    return {"data": data, "includes": includes, "matching_rules": [X_RULE]}


def mastodon_status(post: ScenarioPost, media_base: str) -> dict[str, Any]:
    """A Mastodon Status entity as the streaming API's ``update`` event carries it (content is HTML)."""
    sid = str(MASTODON_ID_BASE + _number(post.id))
    account_url = f"{MASTODON_HOST}/@{post.author}"
    content = "<p>" + html.escape(post.text).replace("\n", "<br />") + "</p>"
    return {
        "id": sid, "created_at": _utc(post.at), "in_reply_to_id": None, "in_reply_to_account_id": None,
        "sensitive": False, "spoiler_text": "", "visibility": "public", "language": post.lang,
        "uri": f"{MASTODON_HOST}/users/{post.author}/statuses/{sid}", "url": f"{account_url}/{sid}",
        "replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "content": content, "reblog": None,
        "account": {"id": _user_id(post.author), "username": post.author, "acct": post.author,
                    "display_name": post.author, "url": account_url},
        "media_attachments": [{"id": f"{sid}{i}", "type": "image", "url": f"{media_base}/{name}",
                               "preview_url": f"{media_base}/{name}", "description": None}
                              for i, name in enumerate(post.media)],
        "mentions": [], "tags": [], "emojis": [],
    }


def webhook_body(post: ScenarioPost, media_base: str) -> bytes:
    """The generic webhook's JSON body (one post)."""
    body: dict[str, Any] = {"id": post.id, "text": post.text, "author": post.author,
                            "created_at": post.at.isoformat(), "lang": post.lang,
                            "media_urls": [f"{media_base}/{name}" for name in post.media]}
    if post.geo:
        body["lat"], body["lng"] = post.geo
    return json.dumps(body, ensure_ascii=False).encode("utf-8")
