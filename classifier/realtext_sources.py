"""The pinned public sources of classifier.realtext: where each one's texts are, which reader reads them
(``classifier.realtext_readers``), and what we may do with them."""

from __future__ import annotations

from dataclasses import dataclass, field

from classifier.examples import NEWS
from classifier.realtext_readers import (
    Extractor,
    extract_asdc,
    extract_csv_text,
    extract_kwdlc,
    extract_open2ch,
    extract_realpersonachat,
    extract_tokenised_lines,
    extract_tweetmapping,
    extract_wikinews_leads,
    month_files,
    twitter_archive_extractor,
)

# ---------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source:
    """One pinned public source: where its texts are, how to read them, and what we may do with them."""

    name: str
    repo: str
    commit: str
    paths: tuple[str, ...]
    extractor: Extractor
    licence: str
    redistributable: bool
    kind: str
    use: str
    cap: int | None = None
    notes: str = field(default="")
    # Texts written away from any disaster stream (chat, bulletin boards, example sentences): training may
    # take them as weak "other" labels. A disaster-time stream (the 2011 tweets) is False.
    everyday: bool = True
    # How its texts are written: "post" (first-hand posts, chat, pages) or NEWS (news reports, whose
    # categories training leaves unknown: classifier.examples.training_targets).
    register: str = "post"



def _twitter_archive(*, name: str, repo: str, commit: str, months: str, sample_every: int, kind: str) -> Source:
    """A personal Twitter archive export pushed to GitHub (no licence stated: rebuilt, never shipped): its pinned
    month files, every post naming a hazard plus a 1-in-``sample_every`` hash sample of the rest."""
    return Source(
        name=name,
        repo=repo,
        commit=commit,
        paths=month_files("data/js/tweets", months),
        extractor=twitter_archive_extractor(sample_every=sample_every),
        licence="none stated; tweets belong to their author: kept out of the repository, rebuilt by the recipe",
        redistributable=False,
        kind=kind,
        use="real posts of other events: training labels (disaster and everyday), distillation",
        everyday=False,
    )

SOURCES: tuple[Source, ...] = (
    Source(
        name="tohoku2011_tweets",
        repo="wtnv-lab/tweetMapping",
        commit="4f5c29c1f3d1573e05f87be82647ef6845125d35",
        paths=("data/czml/tweet-tiles/search.json",),
        extractor=extract_tweetmapping,
        licence="MIT (repository, © 2021 Hidenori Watanave); tweet texts belong to their authors",
        redistributable=False,
        kind="geotagged tweets posted within 24 h of the 2011-03-11 Tohoku earthquake (@-replies and bots removed)",
        use="real disaster-time posts: positives (shaking, tsunami, outages, stranded commuters) and hard "
        "negatives (worry, support, news relayed from afar, everyday posts of the same hours)",
        everyday=False,
    ),
    Source(
        name="open2ch",
        repo="1never/open2ch-dialogue-corpus",
        commit="a8ccdf2cffa81ea5f9ff5ed01c35d0272f0936f3",
        paths=("ranking.zip", "data/ng_words.txt"),
        extractor=extract_open2ch,
        licence="Apache-2.0 (repository); posts from open2ch.net boards",
        redistributable=False,
        kind="bulletin-board posts (なんでも実況J, ニュー速VIP, ニュース速報+), Aug-Sep 2019; the 534 MB corpus.zip "
        "is Git LFS and absent, so the 2 x 20,000-line ranking set is read",
        use="everyday social posts, slang, news talk and figurative use: distillation, domain adaptation, "
        "hard negatives",
    ),
    Source(
        name="japanese_toxic",
        repo="inspection-ai/japanese-toxic-dataset",
        commit="e26fbd26b26e831f56e529c05a3f4f6cc5b697b0",
        paths=("data/subset.csv",),
        extractor=extract_csv_text,
        licence="Apache-2.0",
        redistributable=True,
        kind="short social-media style posts annotated for toxicity (labels not used)",
        use="rough everyday posts: distillation, robustness",
    ),
    Source(
        name="realpersonachat",
        repo="nu-dialogue/real-persona-chat",
        commit="28d0b6b3865b29cabc26c230a2db37cdf315e937",
        paths=("real_persona_chat/dialogues",),
        extractor=extract_realpersonachat,
        licence="CC BY-SA 4.0",
        redistributable=True,
        kind="typed chit-chat between real people (RealPersonaChat, 13,583 dialogues)",
        use="casual first-person chat: distillation, domain adaptation, everyday negatives",
        cap=22000,
    ),
    Source(
        name="kwdlc_leads",
        repo="ku-nlp/KWDLC",
        commit="c6ae49d29eca4e1134c6676d682adf5ed6a25f5a",
        paths=("disc", "org"),
        extractor=extract_kwdlc,
        licence="none stated for the texts (README: web-document leads used without the copyright owners' "
        "permission); treated as all rights reserved",
        redistributable=False,
        kind="first three sentences of Japanese web pages and blogs (2011)",
        use="varied written register (blogs, shops, hobbies): domain adaptation, distillation",
    ),
    Source(
        name="asdc_requests",
        repo="megagonlabs/asdc",
        commit="f37d6575c73602adcb8ae3687520726793baa672",
        paths=("data/vanilla",),
        extractor=extract_asdc,
        licence="CC BY 4.0 (corpus)",
        redistributable=True,
        kind="crowd-written user requests to an accommodation-search dialogue system",
        use="requests and questions with no hazard: distillation, negatives",
        cap=8000,
    ),
    Source(
        name="tanaka_sentences",
        repo="odashi/small_parallel_enja",
        commit="312408a11c5fbcbc09443bebb18121f7efdcd61e",
        paths=("train.ja",),
        extractor=extract_tokenised_lines,
        licence="none stated in the repository; extracted from the Tanaka Corpus (EDRDG/Tatoeba, CC BY)",
        redistributable=False,
        kind="everyday example sentences (Tanaka Corpus), KyTea-tokenised; spaces removed",
        use="plain everyday sentences: distillation",
        cap=8000,
    ),
    # ---- added 2026-12-02 (issue 15): real text of disasters other than 3.11 ----
    Source(
        name="jawikinews_leads",
        repo="tm4roon/jawikinews-headline-dataset",
        commit="cfdf15830a6bd3f734cd4bdac3b7692e23825988",
        paths=("raw/cleaned-data.tsv.gz",),
        extractor=extract_wikinews_leads,
        licence="Japanese Wikinews articles, CC BY 2.5 (ja.wikinews.org); no licence stated for the repository's "
        "processing: kept out of the repository, rebuilt by the recipe",
        redistributable=False,
        kind="Japanese Wikinews headline plus first sentence (3,670 articles, 2005-2019): news of earthquakes, "
        "typhoons, floods, eruptions and fires in Japan (2008 Iwate-Miyagi, 2009 Chugoku-Kyushu rains, 2011 Kii "
        "typhoon, 2016 Kumamoto/Oita, 2017 Shinmoedake...) and abroad, and every other kind of news",
        use="news-register disaster reports (relays) and hard negatives (disasters abroad, forecasts, "
        "aftermath, politics): training labels (whether a disaster, not which), distillation",
        everyday=False,
        register=NEWS,
    ),
    _twitter_archive(
        name="archive_raryosu",
        repo="raryosu/tweets",
        commit="130e99c053cf2fc4606e65a463b4a93e0d92272d",
        months=(
            "2013_10 2013_12 2014_01 2014_02 2014_03 2014_04 2014_05 2014_06 2015_01 2015_05 2015_06 "
            "2015_07 2015_08 2015_09 2015_11 2016_01 2016_02 2016_03 2016_04 2016_05 2016_06 2016_07 "
            "2016_08 2016_09 2016_10 2016_11 2016_12 2017_01 2017_02 2017_03 2017_04 2017_05 2017_06 "
            "2017_07 2017_08 2017_09 2017_10"
        ),
        sample_every=8,
        kind="personal Twitter archive, 2013-2017 (a student in western Japan): posts naming a hazard (2015 "
        "and 2017 typhoons, 2016 Kumamoto quake) plus a 1-in-8 hash sample of the rest (months 2015_10 "
        "and 2015_12 are absent from the snapshot)",
    ),
    _twitter_archive(
        name="archive_hukanzen",
        repo="Hukanzen/tweet_analysis",
        commit="72d175aaff27c88d8eeaad2d6e8353fbf8263066",
        months=(
            "2012_01.1 2012_01 2012_03 2012_05 2012_07 2012_08 2012_10 2012_11 2012_12 2013_01 "
            "2013_02 2013_03 2013_04 2013_06 2013_09 2013_10 2013_11 2013_12 2014_01 2014_02 2014_03 "
            "2014_04 2014_05 2014_06 2014_07 2014_08 2014_09 2014_10 2014_11 2014_12 2015_01 2015_02 "
            "2015_03 2015_04 2015_05 2015_06 2015_07 2015_08 2015_09 2015_10 2015_11 2015_12 2016_01 "
            "2016_02 2016_03 2016_04 2016_05 2016_06 2016_07 2016_08 2016_09 2016_10 2016_11 2016_12 "
            "2017_01 2017_02 2017_03 2017_04 2017_05 2017_06 2017_07 2017_08 2017_09 2017_10 2017_11 "
            "2017_12 2018_01 2018_02 2018_03 2018_04 2018_05"
        ),
        sample_every=20,
        kind="personal Twitter archive, 2012-2018 (branch develop): posts naming a hazard (typhoons, heavy "
        "rain, 2014 and 2016 quakes, snow) plus a 1-in-20 hash sample of the rest (months 2013_05, "
        "2013_07 and 2013_08 are absent from the snapshot)",
    ),
    _twitter_archive(
        name="archive_xanxus",
        repo="xanxus1204/xanxus1204.github.io",
        commit="83796318399f378f54cf8803f1ccc04ce038ee46",
        months=(
            "2016_10 2016_11 2016_12 2017_01 2017_02 2017_03 2017_04 2017_05 2017_06 2017_07 2017_08 "
            "2017_09 2017_10 2017_11 2018_01 2018_03 2018_04 2018_05 2018_07 2018_08 2018_09 2018_10 "
            "2018_11 2018_12 2019_01 2019_02 2019_03"
        ),
        sample_every=8,
        kind="personal Twitter archive, 2016-2019 (commit of 2019-11-30; later commits removed it): posts "
        "naming a hazard (2018 rains, typhoons and quakes) plus a 1-in-8 hash sample",
    ),
)
