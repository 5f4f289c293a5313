"""Official-style messages people quote: orders in force (disaster) and lifted, drill or planning notices."""

from __future__ import annotations

# (text, categories) : warnings and orders in force, people must act now.
OFFICIAL_IN_FORCE: list[tuple[str, tuple[str, ...]]] = [
    (
        "【避難指示】{p}に避難指示（警戒レベル4）を発令しました。危険な場所から全員避難してください",
        ("evacuation_shelter",),
    ),
    ("【緊急安全確保】{p}で災害が発生または切迫しています。命を守る行動を", ("evacuation_shelter",)),
    ("【大津波警報】三重県南部 ただちに高い所へ避難してください", ("tsunami", "evacuation_shelter")),
    ("【津波警報】伊勢・三河湾 海岸から離れてください", ("tsunami",)),
    ("【氾濫発生情報】{r}で氾濫が発生しました", ("flood",)),
    ("【土砂災害警戒情報】{p} 土砂災害が発生しています 避難指示発令中", ("landslide", "evacuation_shelter")),
    ("{p}から：{p}の一部地域で停電が発生しています。復旧には時間がかかる見込み", ("power_water_outage",)),
    ("【通行止め】{rd} {p}～{p} 土砂流入のため全面通行止め", ("road_blocked", "landslide")),
    ("【避難所開設】{p}の体育館を避難所として開設しました", ("evacuation_shelter",)),
    ("震度5強 {p}　揺れの強かった地域では落下物に注意", ("earthquake",)),
    ("【断水】{p}の一部で断水発生中、給水所を開設しています", ("power_water_outage",)),
    ("【火災】{p}で建物火災発生、付近の方は煙に注意してください", ("fire",)),
]
OFFICIAL_NOT_IN_FORCE: list[str] = [
    "【解除】{p}の避難指示を解除しました",
    "【訓練】これは訓練です。{p}に大津波警報が発表されました",
    "大雨警報（土砂災害）{p} 今後の情報に注意してください",
    "【お知らせ】{d}は防災行政無線の試験放送を行います",
    "【津波注意報解除】伊勢・三河湾の津波注意報は解除されました",
    "【計画停電】{d}{p}で設備工事のため停電します",
    "【台風情報】台風{n}号は{d}に東海地方へ接近する見込みです",
    "高温注意情報 {p} 熱中症に注意",
]
