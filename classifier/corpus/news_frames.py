"""Third round of train-only frames: the register of news shares and official accounts.

The first two rounds are people posting what they see. Real streams also carry news headlines shared
by residents, municipal and fire-department accounts and observation reports, and these use words our
banks never had: 震源, 観測, 出火, 延焼, 損壊, 行方不明, 死亡, 負傷, 救出, 搬送, 心肺停止, 安否, 派遣,
通行規制, 越水, 崖崩れ, 避難者 (counted in train.jsonl on 2026-12-05: none of them occurred). Casualty and
rescue reports were hit hardest: the model read 「…から救出されました」 as an earthquake post with no
casualty. The negatives use the same words where SPEC §4 says `other`: disasters abroad or watched on TV
from afar, death tolls of anniversaries, rescue drills, damage estimates, debunked rumours, traffic
accidents. Labels follow SPEC §4 and the real sets' conventions: a news relay of a current event is
`disaster` wherever it happens; quake damage to buildings is `earthquake`.
"""

from __future__ import annotations

from classifier.corpus.disaster_frames import Frame, _f

NEWS_DISASTER_FRAMES: dict[str, list[Frame]] = {
    "casualty_rescue": [
        _f("{p}で倒壊した住宅の下敷きになった{n}人が救出され、病院に搬送されました", "earthquake"),
        _f("【{p}消防】土砂に巻き込まれた住宅から男性1人を救出、意識はあるとのこと", "landslide"),
        _f("{r}で人が流されたとの通報があり、消防が捜索しています", "flood"),
        _f("市の発表によると、{p}で{n}人が負傷し、うち1人が重傷です"),
        _f("県によると{p}で行方不明になっている{n}人の捜索が夜を徹して続いています"),
        _f("{p}の倒壊家屋で心肺停止の状態で見つかった女性の死亡が確認されました", "earthquake"),
        _f("自衛隊が{p}に派遣され、孤立した集落の住民をヘリで救出しています"),
        _f("ニュース速報 {p}で土砂崩れ、住宅{n}棟が巻き込まれ安否不明の人がいる", "landslide"),
        _f("{p}で生き埋めになっている人がいるとの情報、重機の到着を待っています"),
        _f("{who}が揺れで転んで救急搬送された、骨折してるみたい", "earthquake"),
        _f("{p}、けが人多数で救急車が足りていないそうです"),
        _f("この地震による人的被害は{p}で重傷{n}人、軽傷12人と市が発表", "earthquake"),
        _f("{p}で連絡の取れない人が{n}人、警察と消防が安否の確認を急いでいます"),
        _f("{r}の中州に取り残された{n}人を消防ヘリが救助しました", "flood"),
        _f("{p}の火災現場から1人が救出され搬送、もう1人の安否が分かっていません", "fire"),
        _f("地震で{p}の死者は{n}人に、負傷者は100人を超えたと県が発表", "earthquake"),
    ],
    "earthquake": [
        _f("{t}の地震で{p}は震度5強を観測、震源は三重県中部で深さ約10キロ"),
        _f("【地震速報】{p}で震度5弱を観測しました。今後の情報に注意してください"),
        _f("{p}震度6弱の発表、部屋の中がめちゃくちゃで余震も続いてる"),
        _f("気象庁によると震源の深さは約40キロ、最大震度5強は{p}"),
        _f("{p}で住宅の損壊が相次ぎ、市が地震による被害の確認を進めています"),
        _f("さっきの地震、{p}で震度4観測だって。こっちも棚の物が落ちた"),
        _f("{p}の市役所に災害対策本部を設置、地震の被害の把握を急いでいます"),
        _f("地震で{p}の{h}の壁に亀裂、瓦も落ちています"),
    ],
    "fire": [
        _f("{p}の住宅から出火し、近くの{n}棟に延焼しています"),
        _f("【火災情報】{p}で建物火災が発生、消防車が出動しています"),
        _f("{p}の工場で火災、黒い煙が上がっていると通報が相次いでいます"),
        _f("地震のあと{p}で出火、消防が消火活動にあたっています", "earthquake"),
        _f("{p}の山林火災、延焼が広がり周辺の住民に避難指示", "evacuation_shelter"),
    ],
    "flood": [
        _f("{r}が越水し、{p}で住宅{n}棟が床上浸水の被害"),
        _f("【速報】{r}の堤防が決壊、{p}に浸水被害が出ています"),
        _f("{p}で道路が冠水し、車が立ち往生しているとの情報が多数", "road_blocked"),
        _f("{r}の水位が氾濫危険水位を超え、{p}の一部で浸水が始まっています"),
        _f("国土交通省によると{r}で氾濫が発生、{p}周辺に浸水のおそれ"),
    ],
    "landslide": [
        _f("{p}で崖崩れ、市道が土砂でふさがれています", "road_blocked"),
        _f("{p}の山で土石流が発生し、住宅に土砂が流れ込みました"),
        _f("【土砂災害】{p}で斜面が崩れ、民家{n}棟に被害"),
        _f("大雨で{p}の裏山が崩れて、家の裏まで土砂が来ています"),
    ],
    "road_blocked": [
        _f("{rd}は{p}付近の土砂崩れで通行止め、復旧の見込みは立っていません", "landslide"),
        _f("【通行規制】{rd} {p}付近 路面陥没のため全面通行止め"),
        _f("{p}の橋が損壊して通れなくなっています、迂回してください"),
        _f("地震の影響で{rd}の路面に亀裂、{p}付近で通行規制", "earthquake"),
        _f("倒木で{rd}がふさがれています、{p}方面の方は注意"),
    ],
    "power_water_outage": [
        _f("中部電力によると{p}で約{n}千戸が停電しています"),
        _f("{p}の一部で断水が続き、市は公民館に給水所を開設しました"),
        _f("【断水情報】{p}で水道管が破損し断水、復旧作業中です"),
        _f("{p}、地震のあと停電して信号も消えてる", "earthquake"),
        _f("{p}の{n}地区で断水、給水車が来ています"),
    ],
    "evacuation_shelter": [
        _f("【避難指示】{p}に避難指示を発令しました。直ちに安全な場所へ避難してください"),
        _f("{p}に高齢者等避難を発令、避難に時間のかかる方は避難を始めてください"),
        _f("市内{n}か所の指定避難所を開設、避難者は現在約200人です"),
        _f("{p}の小学校の体育館に避難しています、避難者でいっぱい"),
        _f("{p}の避難所に毛布と水が届き、物資の配布が始まりました"),
        _f("余震が怖くて{p}の避難所で一晩過ごしました", "earthquake"),
    ],
    "tsunami": [
        _f("【津波警報】三重県南部に津波警報、直ちに高台へ避難してください", "evacuation_shelter"),
        _f("{p}で津波を観測、高さ0.4メートル。引き続き海に近づかないでください"),
    ],
    "other_damage": [
        _f("{p}で屋根瓦が飛ぶなど住宅の一部損壊が{n}件報告されています"),
        _f("強風で{p}の看板が落下、歩道が通れなくなっています"),
        _f("台風の高潮で{p}の漁港の船が何隻も転覆しています"),
        _f("{p}のビニールハウスが突風で倒壊、被害の確認中"),
    ],
}

NEWS_NEGATIVE_FRAMES: dict[str, list[str]] = {
    "far_news": [
        "海外の大地震、死者と行方不明者が数千人規模らしい。ニュースを見て胸が痛む",
        "テレビで{far}の大雨被害を見てる、行方不明者の捜索が続いてるって。こっちは晴れ",
        "インドネシアの地震で津波、多数の死者とのニュース",
        "アメリカの山火事、焼けた面積が東京都の何倍とか。映像がすごい",
    ],
    "anniversary": [
        "震災から{n}年、死者・行方不明者は2万人を超えた。忘れない",
        "伊勢湾台風の死者・行方不明者は5千人以上。今日がその日",
        "{n}年前の今日、{p}でも浸水被害があった。当時の記録を読み返してる",
    ],
    "drill": [
        "{p}の総合防災訓練、倒壊家屋からの救出訓練を見学した",
        "消防の救助訓練、がれきの下から人形を助け出すところを見た",
        "{p}の避難所開設訓練に参加して段ボールベッドを組み立てた",
    ],
    "forecast_prep": [
        "南海トラフ地震の被害想定、{p}は最大震度7で死者数の想定まで出てる",
        "県の想定だと津波の浸水が{p}まで来るらしい、ハザードマップを確認した",
        "台風が来る前に給水袋と懐中電灯を買っておいた",
    ],
    "debunk": [
        "{p}で死者が出たという投稿はデマです、市は人的被害はないと発表しています",
        "{r}の堤防が決壊したという情報は誤り、と県が発表",
    ],
    "support": [
        "行方不明の方が一日も早く見つかりますように",
        "{far}で被災された皆さまにお見舞い申し上げます。義援金を送りました",
    ],
    "question": [
        "けが人が出たときの応急手当ってどこで習える？",
        "震源が浅いほど揺れって大きくなるの？",
    ],
    "daily": [
        "{rd}で車{n}台の事故、けが人がいるみたいで渋滞してる",
        "{p}の交差点で事故があって救急車が来てた",
    ],
}
