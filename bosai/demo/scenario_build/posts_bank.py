"""Sentence banks for the demo's social posts, written for this project (not taken from any corpus).

Each topic: (label, categories, time windows "HH:MM-HH:MM", places, count, templates). Slots: {town} a real
Mie town (大字・町丁目) of the place's municipality, {muni} the municipality, {road} a road, {shelter} a
shelter of the municipality, {n} a small number.
"""

from __future__ import annotations

from typing import Final

ROADS: Final = {
    "津市": ("国道23号", "国道165号", "県道津関線"), "鈴鹿市": ("国道23号", "国道1号", "鈴鹿中央線"),
    "四日市市": ("国道1号", "国道23号", "国道477号"), "松阪市": ("国道166号", "国道42号", "国道23号"),
    "亀山市": ("名阪国道", "国道1号", "国道306号"), "伊賀市": ("名阪国道", "国道368号", "国道163号"),
    "菰野町": ("国道477号", "国道306号"), "伊勢市": ("国道23号", "伊勢二見鳥羽ライン"),
    "志摩市": ("国道167号", "国道260号"), "尾鷲市": ("国道42号", "国道425号"), "名張市": ("国道165号", "国道368号"),
}
Topic = tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], int, tuple[str, ...]]

TOPICS: Final[dict[str, Topic]] = {
    "flood_kumozu": ("disaster", ("flood",), ("09:40-14:30",), ("津市",), 45, (
        "雲出川の水がもうすぐ堤防を越えそう。{town}あたり、川沿いの人は早く逃げて",
        "{town}の道路が完全に冠水してる。膝まで水来てて車は無理",
        "津市{town}、家の前が川みたいになってる。床下まで水が来た",
        "雲出川、見たことない水位。{town}の田んぼが全部水没してる",
        "{town}で床上浸水しました。1階の家具全部だめかも",
        "{town}付近 用水路があふれて道路冠水中。通らないでください",
        "川の水が茶色くてすごい勢い。{town}の橋、通行止めになってた",
        "津の{town}、マンホールから水が噴き出してる…",
    )),
    "flood_ano_shitomo": ("disaster", ("flood",), ("10:00-13:30",), ("津市",), 30, (
        "志登茂川があふれそう。{town}の住宅街に水が入ってきた",
        "安濃川の水位やばい。{town}の河川敷もう見えない",
        "{town}のアンダーパス水没してる、車が1台止まってる",
        "{town}、側溝から水があふれて歩道が川になってる",
        "江戸橋のあたり、道路冠水で車がぜんぜん動かない",
    )),
    "flood_north": ("disaster", ("flood",), ("11:30-15:00",), ("鈴鹿市", "四日市市"), 40, (
        "鈴鹿川の水位がかなり高い。{town}の堤防ギリギリ",
        "{muni}{town}で道路冠水。タイヤ半分沈んでる",
        "三滝川があふれそう、{town}の人気をつけて",
        "{town}の駐車場が浸水して車が何台も水に浸かってる",
        "{muni}の{town}、床下浸水した家が何軒かある",
    )),
    "flood_south": ("disaster", ("flood",), ("12:30-16:30",), ("松阪市", "多気町", "伊勢市", "玉城町"), 35, (
        "櫛田川の水位上がりすぎ。{town}あたり避難した方がいい",
        "宮川、濁流がすごい。{town}の河川敷のグラウンド全部水の中",
        "{muni}{town}、道路が冠水して通れない",
        "{town}で床上浸水、消防の人がボートで回ってる",
    )),
    "landslide": ("disaster", ("landslide", "road_blocked"), ("10:30-17:00",), ("亀山市", "津市", "松阪市", "菰野町",
                                                                                "伊賀市"), 35, (
        "{muni}{town}で土砂崩れ。{road}が土砂でふさがってる",
        "裏山から土砂が流れてきた。{town}の家の裏まで来てる、怖い",
        "{town}の山の斜面が崩れて道路に木と石が散乱してる",
        "{road}、{town}付近でがけ崩れ。片側も通れない",
        "{town}で土砂崩れ発生、家が1軒巻き込まれたって近所の人が言ってる",
        "沢の水が急に濁ってきた。{town}、土砂崩れの前兆かもしれない",
    )),
    "road": ("disaster", ("road_blocked",), ("09:00-18:00",), ("津市", "鈴鹿市", "亀山市", "伊賀市", "四日市市",
                                                               "尾鷲市"), 45, (
        "{road}、{muni}付近で冠水のため通行止め。迂回してください",
        "{road}が{town}で通行止めになってる。大渋滞",
        "名阪国道 上下線とも通行止め。亀山から先に進めない",
        "伊勢道 {muni}付近で通行止めだって。雨量規制",
        "{road} {town}の交差点、水が溜まって車が立ち往生してる",
        "倒木で{road}ふさがってます。{town}の手前",
        "近鉄も止まってるし{road}も通行止め。帰れない",
    )),
    "outage": ("disaster", ("power_water_outage",), ("10:30-20:00",), ("伊勢市", "志摩市", "鳥羽市", "松阪市", "尾鷲市",
                                                                      "津市"), 40, (
        "{muni}{town}停電した。風すごい",
        "停電中。{town}一帯真っ暗。いつ復旧するんだろう",
        "{muni}、また停電。冷蔵庫が心配",
        "{town}で断水してる。給水車どこに来るか知ってる人いますか",
        "電線に木が倒れかかってる。{town}、停電はこれが原因かも",
        "スマホの電池残り{n}0%。{town}停電{n}時間目",
    )),
    "evacuation": ("disaster", ("evacuation_shelter",), ("09:30-19:00",), ("津市", "松阪市", "鈴鹿市", "亀山市",
                                                                          "四日市市", "伊勢市"), 50, (
        "{muni}に避難指示出た。{shelter}に向かってます",
        "{shelter}に避難しました。もう{n}0人くらいいる",
        "{shelter}、毛布が足りないみたい",
        "{town}に避難指示。おばあちゃん連れて{shelter}に移動中",
        "避難所の{shelter}開いてる？{town}から行けるかな",
        "{muni}の{shelter}、ペット同伴OKって言われた",
        "{town}の消防団が避難を呼びかけて回ってる",
    )),
    "rescue": ("disaster", ("casualty_rescue", "flood"), ("10:30-15:30",), ("津市", "鈴鹿市", "松阪市"), 25, (
        "【救助要請】{muni}{town}、家族{n}人が2階に取り残されています。水が階段まで来てる",
        "助けてください。{town}で車が水没して中に人がいるみたい",
        "#救助 {muni}{town}の高齢の方が一人で家から出られない。連絡つきません",
        "{town}で孤立してます。道が全部水没。電話つながりにくい",
        "けが人がいます。{muni}{town}、土砂で足を挟まれた人がいる",
    )),
    "quake": ("disaster", ("earthquake",), ("10:41-10:55",), ("津市", "松阪市", "亀山市", "伊賀市"), 20, (
        "今揺れた？{muni}",
        "雨の中地震まで…{muni}結構揺れた",
        "地震！{town}ガタガタってきた",
        "震度3くらい？{muni}、棚の物が少し揺れた",
    )),
    "rumour": ("disaster", ("other_damage",), ("11:00-16:00",), ("津市", "鈴鹿市"), 15, (
        "{muni}の{town}で堤防が決壊したって聞いたけど本当？",
        "拡散希望：{road}の橋が流されたらしい（未確認）",
        "{town}の工場から何か漏れてるって話が回ってきた、誰か知ってる？",
    )),
    "question": ("disaster", ("flood",), ("09:00-17:00",), ("津市", "四日市市", "松阪市", "鈴鹿市"), 20, (
        "{town}の方、今道路どうなってますか？水きてる？",
        "{road}通れますか？{muni}から帰りたい",
        "{muni}の川の様子わかる人いますか",
    )),
    "warning_only": ("other", (), ("06:00-10:00", "17:00-23:30"), ("津市", "四日市市", "伊賀市", "名張市"), 30, (
        "大雨警報出てるけど{muni}はまだ小雨",
        "台風来てるけど{muni}は今のところ静か",
        "警報出たから今日は休校らしい。家でゴロゴロ",
        "風はあるけど{town}は特に何もなし",
        "台風だから昨日のうちに水と電池買っといた",
        "雨雲レーダー真っ赤。外出たくない",
    )),
    "chitchat": ("other", (), ("06:00-23:59",), ("津市", "四日市市", "鈴鹿市", "伊勢市"), 45, (
        "雨の日はラーメンに限る",
        "傘が壊れた。風強すぎ",
        "台風でお店休みなのでおうちカフェ",
        "今日の晩ごはん何にしよう",
        "洗濯物ぜんぜん乾かない",
        "雨の音聞きながら読書、悪くない",
        "台風のせいで推しのライブ延期…",
    )),
    "figurative": ("other", (), ("06:00-23:59",), ("津市",), 25, (
        "締め切りが土砂崩れのように押し寄せてくる",
        "メールの洪水で仕事にならない",
        "推しの新曲に感情が決壊した",
        "涙腺が氾濫してる、この映画やばい",
        "今月の出費、もはや災害級",
        "テスト勉強が嵐の前の静けさ",
    )),
    "games": ("other", (), ("06:00-23:59",), ("津市",), 20, (
        "マイクラで洪水起こしたら村が全滅した",
        "防災ゲームで津波から逃げるミッション難しすぎ",
        "パニック映画の土砂崩れシーン、CGすごかった",
        "シムシティで地震イベント来て街が崩壊",
    )),
    "ads": ("other", (), ("06:00-23:59",), ("津市",), 25, (
        "【セール】防災グッズ30%OFF！非常食セットは今がお得 #防災",
        "台風に備えて！ポータブル電源 期間限定価格 → 詳しくはプロフから",
        "雨の日限定クーポン配布中🌂 {muni}店でご利用いただけます",
        "梅雨も台風も怖くない！外壁塗装の無料見積もり受付中",
    )),
    "elsewhere": ("other", (), ("06:00-23:59",), ("津市",), 20, (
        "海外でまた大きな地震のニュース。被害が少ないといいけど",
        "九州の大雨から1年。まだ復旧していない地域もあるらしい",
        "台湾で台風被害のニュース見た",
        "去年の今頃はこっちも大変だったな、と思い出す",
    )),
    "drill": ("other", (), ("06:00-12:00",), ("津市", "鈴鹿市"), 12, (
        "来週{muni}で防災訓練。避難所運営の練習するらしい",
        "学校の避難訓練で消火器使った",
        "防災の日の訓練、参加者少なかったなあ",
    )),
    "support": ("other", (), ("15:00-23:59",), ("津市",), 12, (
        "三重の皆さん、どうか無事で。応援してます",
        "被害が出ている地域の方々、くれぐれも気をつけて",
        "{muni}の友達から連絡来た、無事でよかった",
    )),
    "debunk": ("other", (), ("14:00-20:00",), ("津市",), 8, (
        "{town}の堤防決壊はデマです。市に確認しました。拡散しないで",
        "「{road}の橋が流された」は誤情報。古い別の災害の写真でした",
    )),
    "planned": ("other", (), ("06:00-09:00",), ("四日市市",), 6, (
        "明日は工事のため{road}が夜間通行止め（台風とは関係なし）",
        "電気設備点検のため{town}で計画停電のお知らせが来てた",
    )),
}

# A viral post and its reposts / near-duplicates (exercise folding).
VIRAL: Final = ("津市{town}のアンダーパスが完全に水没。車が屋根まで沈んでる。絶対に近づかないで！", "津市", "11:05", 24)
VIRAL_VARIANTS: Final = (
    "RT {text}", "{text} #三重 #大雨", "拡散 {text}", "{text}（友人より）", "これやばい→ {text}",
)

# Posts by foreign residents.
FOREIGN: Final = (
    ("en", "disaster", "Water is coming into our street in {town}, {muni}. Is there a shelter nearby?"),
    ("en", "disaster", "Road near {muni} station is flooded, cars are stuck. Stay away!"),
    ("en", "other", "Typhoon day in Mie, staying home with snacks and movies"),
    ("en", "disaster", "Power is out in {muni}. Anyone know when it comes back?"),
    ("pt", "disaster", "A rua em {town} ({muni}) está alagada, a água está entrando nas casas"),
    ("pt", "disaster", "Alguém sabe onde fica o abrigo em {muni}? Minha família precisa sair de casa"),
    ("pt", "other", "Dia de tufão, sem trabalho hoje na fábrica"),
    ("pt", "disaster", "Deslizamento de terra perto de {town}, estrada bloqueada"),
    ("en", "other", "Is the typhoon going to hit Osaka too? flight tomorrow"),
    ("pt", "disaster", "Faltou luz aqui em {muni} faz duas horas"),
)

# Posts with hostile HTML (must be escaped everywhere they are shown).
HOSTILE: Final = (
    "<script>alert(1)</script>津市{town}で冠水してます",
    '<img src=x onerror="alert(document.cookie)"> 鈴鹿川の水位やばい',
    '停電なう <a href="javascript:alert(1)">詳細はこちら</a>',
    "<iframe src=//evil.example></iframe>{muni}で土砂崩れ",
    "\"><svg/onload=alert(1)> 避難所どこ？",
)

# Early bursts, so that the first replayed minute (from 08:30) already has clusters to group into incidents:
# street flooding in central 津 after the 09:00 record rain, and slope failures in 津市美里.
TOPICS["flood_tsu_early"] = ("disaster", ("flood",), ("08:45-10:00",), ("津市",), 30, (
    "{town}、道路が一気に冠水した。車が水しぶき上げて走ってる",
    "津市{town}で側溝があふれて歩道が川に",
    "{town}の交差点、冠水で信号待ちの車が動けない",
    "短時間ですごい雨。{town}の家の前がもう水浸し",
    "{town}で床下浸水。土のう積んでるけど間に合わない",
    "{town}の地下駐車場に水が流れ込んでる",
))
TOPICS["landslide_misato"] = ("disaster", ("landslide", "road_blocked"), ("09:10-10:30",), ("津市",), 10, (
    "津市{town}で土砂崩れ。県道が土砂でふさがってる",
    "{town}の裏山が崩れた。木が道路に倒れてる",
    "{town}、山からの水と土砂が道に流れ出してる。通れない",
))
