"""Second round of train-only frames: readers the first banks under-served.

Two gaps showed in review of the model's mistakes: plain standard Japanese that names a hazard only by
its effect (a cracked wall, cloudy tap water, a road shoulder gone, a roof blown off), and posts in
English from Mie's foreign residents, which the first vocabulary could barely read. Labels follow
SPEC §4 literally: building damage from a quake is `earthquake`, wind and storm-surge damage is
`other_damage`, a burst main is `power_water_outage`, being cut off is `casualty_rescue`.
English frames use their own place slots ({ep} place, {er} river) because residents write romanised
names. Like ``train_frames``, these never reach dev or test.
"""

from __future__ import annotations

from classifier.corpus.disaster_frames import Frame, _f

EN_PLACES: tuple[str, ...] = (
    "Tsu",
    "Yokkaichi",
    "Suzuka",
    "Matsusaka",
    "Ise",
    "Kuwana",
    "Nabari",
    "Iga",
    "Kameyama",
    "Toba",
    "Shima",
    "Owase",
    "Kumano",
    "Inabe",
    "Kiho",
    "Minamiise",
    "Taki",
    "Komono",
    "Hisai",
    "Ureshino",
)
EN_RIVERS: tuple[str, ...] = (
    "the Kumozu river",
    "the Suzuka river",
    "the Miya river",
    "the Kushida river",
    "the Anou river",
    "the Ibi river",
    "the Kiso river",
    "the Nabari river",
    "the Shitomo river",
)

PLAIN_DISASTER_FRAMES: dict[str, list[Frame]] = {
    "flood": [
        _f("一階の床の上まで水が来ました。家族で二階にいます", "evacuation_shelter"),
        _f("{p}の田んぼと道路の区別がつかないくらい水が広がっています"),
        _f("{h}の前の側溝があふれて、玄関の段差まで水が来ています"),
        _f("{r}の水位が氾濫危険水位を超えたと水位計に出ています。もう河川敷は見えません"),
        _f("用水路の水が道にあふれて、歩道が水の中です"),
        _f("駐車場の車がドアの下まで水につかっています、{p}"),
        _f("{p}の地下道が水で通れなくなっています。近づかないでください", "road_blocked"),
        _f("雨は少し弱くなったけど、{p}の町内はまだ水が引きません"),
        _f("店の中に泥水が入ってきて商品が全部だめになりました"),
    ],
    "landslide": [
        _f("{rd}の脇の斜面が崩れて、土砂で道がふさがっています", "road_blocked"),
        _f("裏山から石が転がってきました。斜面に割れ目が見えます"),
        _f("{h}の裏の崖が崩れて、土砂が壁のところまで来ています"),
        _f("土砂崩れで{p}の集落に行く道が一本もなくなり、孤立しています", "casualty_rescue", "road_blocked"),
        _f("畑の斜面がずるずる下がっています。地すべりだと思います"),
        _f("沢から泥と岩が流れてきて、{p}の橋の下が埋まっています"),
        _f("雨のあとに山が崩れて、杉の木が何本も倒れて流れてきました"),
    ],
    "earthquake": [
        _f("揺れで屋根の瓦が落ちて、庭で割れています"),
        _f("地震で本棚とテレビが倒れて、部屋がぐちゃぐちゃです"),
        _f("{p}でかなり揺れました。食器がほとんど割れてしまいました"),
        _f("ガタガタという揺れで目が覚めました。まだ小さく揺れています"),
        _f("余震が続いていて、家に入るのが怖いです。車の中にいます"),
        _f("地震で{p}の古い蔵の土壁が落ちました"),
        _f("棚の上の物がぜんぶ落ちた。震度5弱くらいあったと思う"),
    ],
    "tsunami": [
        _f("津波警報のサイレンが鳴っています。{p}の海沿いの人は高台へ", "evacuation_shelter"),
        _f("{p}の浜で、岩場がふだん見えないところまで出ています。潮が異常に引いています"),
        _f("津波が防波堤を越えて、漁港の中まで水が入ってきました"),
        _f("津波注意報が出ています。浜で遊んでいる人がまだいます"),
        _f("岸壁の船が津波で流されて、岸にぶつかっています", "other_damage"),
        _f("高台から見ると、湾の中の水が大きく動いています。津波が来ています"),
    ],
    "fire": [
        _f("{p}の住宅から火が出ています。黒い煙がすごいです"),
        _f("隣の家が火事です。消防車はまだ来ていません"),
        _f("{p}の工場の方から大きな炎と煙が見えます"),
        _f("地震のあとで近所の家から火が出ました", "earthquake"),
        _f("焦げたにおいがして外を見たら、向かいのアパートの窓から煙が出ていた"),
        _f("山の方で煙が上がっています。山火事かもしれません"),
        _f("停電から戻ったときに電気のコードから火が出た、すぐ消したけど怖かった", "power_water_outage"),
    ],
    "road_blocked": [
        _f("{rd}の道路が陥没して、大きな穴があいています"),
        _f("倒れた電柱が道路をふさいでいて、車が通れません", "other_damage"),
        _f("{rd}は土砂で全面通行止めです。迂回してください", "landslide"),
        _f("冠水で{p}の県道が通行止めになっています。警察が誘導しています", "flood"),
        _f("トンネルの入口に土砂が積もって、通れなくなっています", "landslide"),
        _f("線路が曲がって電車が止まっています、{p}の踏切も通れません"),
    ],
    "power_water_outage": [
        _f("雷のあと{p}の一帯が停電しています。信号も消えています"),
        _f("停電が三日続いています。冷蔵庫の中のものは全部捨てました"),
        _f("断水して二日目です。給水車の場所を教えてください"),
        _f("ガスが止まって、お湯もごはんも作れません"),
        _f("スマホの電波が入りません。近くの基地局が止まっているようです"),
    ],
    "casualty_rescue": [
        _f("足をけがした人がいます。{p}の公民館の前です"),
        _f("祖母と連絡がとれません。{p}の一人暮らしです。誰か見に行ってもらえませんか"),
        _f("崩れた家の中に人が残っています。声が聞こえます", "other_damage"),
        _f("道がなくなって、{p}の集落の人たちが孤立しています", "road_blocked"),
        _f("熱がある子どもがいて病院に行けません。道が通れません", "road_blocked"),
        _f("エレベーターに閉じ込められています。地震で止まりました", "earthquake"),
    ],
    "evacuation_shelter": [
        _f("{p}の小学校の体育館に避難しました。受付で名前を書いて、今夜はここに泊まります"),
        _f("避難所はもう人がいっぱいです。毛布と水が足りません"),
        _f("避難指示が出たので、{who}と一緒に公民館に来ました"),
        _f("避難所にアレルギー対応の食事はありますか。子どもが食べられるものがありません"),
        _f("車で高台の駐車場に避難しています。ここで夜を越します"),
        _f("避難所で配られたおにぎりをもらいました。温かい飲み物がほしいです"),
        _f("こうみんかんに ひなん しました。みんな ぶじ です"),
        _f("避難所に外国人の人がいて、言葉がわからなくて困っています"),
    ],
    "other_damage": [
        _f("台風の風で{h}の窓ガラスが割れました"),
        _f("突風で物置が倒れて、車に傷がつきました"),
        _f("雹で車のフロントガラスにひびが入りました"),
        _f("竜巻が通って、{p}の屋根が何軒もめくれています"),
        _f("風で大きな看板が外れて、歩道に落ちています"),
        _f("{p}の倒木がフェンスを押しつぶしています"),
        _f("落雷で家のテレビとエアコンが壊れました"),
        _f("農業用ハウスのビニールが全部はがれて、骨組みも曲がっています"),
    ],
}

PLAIN_NEGATIVE_FRAMES: dict[str, list[str]] = {
    "figurative": [
        "締め切り前で机の上が土砂崩れみたいになってる",
        "洗濯機にイヤホン入れたまま回して水没",
        "セールの日は売り場が戦場、人の津波",
    ],
    "daily": [
        "車のバッテリーが上がって動かない、JAF待ち",
        "{p}の道路、事故渋滞で全然進まない",
        "子どもが熱を出したので今日は仕事を休みます",
    ],
    "question": [
        "家から一番近い避難所ってどうやって調べるの？",
        "停電したときに冷蔵庫の中身って何時間くらいもつ？",
        "地震のとき、エレベーターの中にいたらどうするのが正解？",
    ],
    "weather_chat": [
        "雷の音だけ遠くで聞こえる、こっちは晴れてる",
        "今日は風が強くて洗濯物が全部飛びそう",
        "雨が上がって虹が出てる、{p}きれい",
    ],
    "warning_calm": [
        "雷注意報が出てるけど、{p}は青空です",
        "大雨警報、{p}はぱらぱら降ってるだけで静か",
    ],
    "drill": [
        "{p}の小学校で引き渡し訓練、子どもを迎えに行った",
        "会社で消火器の使い方の訓練があった",
    ],
    "planned_outage": [
        "工事のため、{d}の午前中は断水しますとお知らせが来た",
        "電気設備の点検で{d}はマンションが一時停電します",
    ],
}

ENGLISH_DISASTER_FRAMES: dict[str, list[Frame]] = {
    "flood": [
        _f("Our street in {ep} turned into a river after the heavy rain"),
        _f("{er} broke its banks, water is getting into the houses near {ep}"),
        _f("Water up to the car doors in the parking lot in {ep}"),
        _f("The ground floor of the school in {ep} is flooded"),
        _f("Our rice fields in {ep} are completely under water now"),
    ],
    "landslide": [
        _f("Landslide behind our house in {ep}, mud and rocks everywhere"),
        _f("The hill collapsed onto the road near {ep}, nobody can get through", "road_blocked"),
        _f("There are cracks on the slope above our neighborhood in {ep} and small rocks keep falling"),
        _f("Mudslide in {ep}, a house got hit", "other_damage"),
    ],
    "earthquake": [
        _f("Whoa, strong shaking in {ep} just now"),
        _f("Big quake just now, our shelves fell over in {ep}"),
        _f("Earthquake in {ep}, dishes broken all over the kitchen"),
        _f("Another aftershock in {ep}, we are sleeping in the car tonight"),
        _f("Did anyone else feel that quake in {ep}? The whole building swayed"),
    ],
    "tsunami": [
        _f("Tsunami warning for the {ep} coast, we are heading up the hill", "evacuation_shelter"),
        _f("The water at the port in {ep} is going out fast, looks like a tsunami"),
        _f("Tsunami waves came over the breakwater in {ep}"),
        _f("Tsunami alert on my phone, we are running to higher ground", "evacuation_shelter"),
    ],
    "fire": [
        _f("Fire in a house near {ep}, the smoke is really thick"),
        _f("House fire on our street in {ep}, fire trucks just arrived"),
        _f("Our neighbor's house is burning, please call 119"),
        _f("Huge flames at a factory in {ep}, you can see the smoke from far away"),
    ],
    "road_blocked": [
        _f("Route 42 is closed near {ep}, part of the road fell into the valley", "landslide"),
        _f("Cars can't cross the bridge in {ep}, the water took part of it", "flood"),
        _f("A fallen tree is blocking the road in {ep}, no cars can pass"),
        _f("Road closed in {ep}, the police are turning everyone back"),
    ],
    "power_water_outage": [
        _f("Blackout in {ep} since last night, the whole block is dark"),
        _f("No water coming from the tap in {ep}, is the water cut off?"),
        _f("Traffic lights are out in {ep}, power cut after the storm"),
        _f("Day three without water in {ep}, where is the water truck?"),
        _f("Lost power after the quake, anyone else in {ep}?", "earthquake"),
    ],
    "casualty_rescue": [
        _f("We need rescue, my father can't walk and the water is rising in {ep}", "flood"),
        _f("We are stuck on the second floor in {ep}, please send a boat", "flood"),
        _f("Someone is injured here in {ep}, we need an ambulance"),
        _f("Can't reach my elderly neighbor in {ep}, can someone check on her?"),
        _f("HELP we are trapped, {ep}, {n} people including kids"),
    ],
    "evacuation_shelter": [
        _f("Now at the evacuation center in {ep} with my kids, it is crowded"),
        _f("Evacuation order for {ep}, we are leaving now"),
        _f("Where is the nearest evacuation shelter in {ep}? We have to leave"),
        _f("The shelter in {ep} is full, they are sending people to another school"),
        _f("Staying at the community center in {ep} tonight, they gave us blankets"),
    ],
    "other_damage": [
        _f("Strong wind blew the roof off our carport in {ep}"),
        _f("Typhoon broke our windows, glass all over the floor"),
        _f("A tornado went through {ep}, several roofs are damaged"),
        _f("Hail smashed the windshield of my car in {ep}"),
        _f("Storm surge flooded the shops by the sea in {ep}, lots of damage"),
    ],
}

ENGLISH_NEGATIVE_FRAMES: dict[str, list[str]] = {
    "figurative": [
        "My exam today was a total disaster lol",
        "My inbox is a flood of emails after the holiday",
        "This new song is fire",
        "My room looks like an earthquake hit it, need to clean",
    ],
    "drill": [
        "Earthquake drill at school today, the kids hid under their desks",
        "Fire drill at the office in {ep} this morning, we all went outside",
        "Tsunami evacuation drill in {ep} this weekend, good practice",
    ],
    "anniversary": [
        "Fifteen years since the big earthquake, never forget",
        "Today we remember the victims of the Ise Bay Typhoon",
    ],
    "far_news": [
        "Praying for everyone affected by the earthquake in Turkey",
        "Saw the news about the floods in Europe, so sad",
        "Wildfires in California again, stay safe everyone there",
    ],
    "weather_chat": [
        "Rainy day in {ep}, staying home with tea",
        "So windy today, my umbrella broke lol",
        "Hot and humid in {ep} again, summer never ends",
    ],
    "forecast_prep": [
        "Typhoon coming this weekend, stocking up on water just in case",
        "Made an emergency kit today: water, batteries, flashlight",
        "Heavy rain forecast for tomorrow, I'll work from home",
    ],
    "warning_calm": [
        "Heavy rain warning for {ep} but it's only drizzling here",
        "Got a storm alert on my phone but the sky is clear",
    ],
    "game_film": [
        "Watching a tsunami disaster movie tonight, so intense",
        "The earthquake level in this game is impossible",
        "The new Godzilla movie destroyed the whole city lol",
    ],
    "ad": [
        "Fire sale at the mall in {ep} this weekend, up to 50% off",
        "Disaster prep kits on sale now, order today",
    ],
    "debunk": [
        "The rumour that the dam in {ep} broke is fake, the city says everything is fine",
        "Please don't share that flood photo, it's from another country years ago",
    ],
    "support": [
        "Thank you to all the volunteers helping after the storm",
        "Donated to the flood relief fund today, every bit helps",
    ],
    "planned_outage": [
        "Planned power outage in {ep} on Sunday morning for maintenance",
        "Water will be shut off tomorrow for pipe work, fill your bottles",
    ],
    "daily": [
        "Lunch in {ep} today, the ramen was amazing",
        "First time at the beach in {ep}, the sea was so blue",
    ],
    "question": [
        "How do I find the nearest shelter in {ep}? Asking for when something happens",
        "Does anyone know if the city sends alerts in English?",
    ],
}
