"""Labels of the public page per language (page furniture only; alert texts come from the i18n catalogs).

The non-Japanese labels were written by the project and await review by native speakers.
"""

from __future__ import annotations

from typing import Final

LANGUAGE_NAMES: Final = {"ja": "日本語", "ja-easy": "やさしい にほんご", "en": "English", "pt": "Português",
                         "zh-Hans": "中文(简体)", "ko": "한국어", "es": "Español", "tl": "Tagalog",
                         "vi": "Tiếng Việt"}
HTML_LANG: Final = {"ja-easy": "ja", "zh-Hans": "zh-Hans"}

_KEYS: Final = ("title", "alerts", "no_alerts", "warnings", "no_warnings", "shelters", "shelters_note",
                "rivers", "no_rivers", "river", "station", "water_level", "level", "credits", "accessible")
UI: Final[dict[str, dict[str, str]]] = {
    "ja": dict(zip(_KEYS, (
        "三重県 防災ウォッチ", "発表中の情報", "現在、発表中の情報はありません。", "市町ごとの警報・注意報",
        "現在、警報・注意報は発表されていません。", "指定避難所・緊急避難場所",
        "避難所の情報は市町が国土地理院に届け出たもので、最新でない場合があります。開設状況は市町の発表を確認してください。",
        "河川の水位", "水位の情報はまだありません。", "河川", "観測所", "水位", "警戒レベル", "出典・クレジット",
        "読み上げ用テキスト"), strict=True)),
    "ja-easy": dict(zip(_KEYS, (
        "みえけん ぼうさい ウォッチ", "いま でている じょうほう", "いま でている じょうほうは ありません。",
        "まちごとの けいほう", "いま けいほうは でていません。", "ひなんじょ(にげる ところ)",
        "ひなんじょの じょうほうは ふるい ことが あります。"
        "あいて いるか どうかは しやくしょ・やくばに きいて ください。",
        "かわの みずの たかさ", "まだ じょうほうが ありません。", "かわ", "はかる ところ", "みずの たかさ",
        "けいかいレベル", "じょうほうの でどころ", "よみあげ よう の ぶん"), strict=True)),
    "en": dict(zip(_KEYS, (
        "Mie Prefecture Bosai Watch", "Current alerts", "There are no alerts in force now.",
        "Warnings by municipality", "No warnings or advisories are in force.", "Designated shelters",
        "Shelter data are as reported by the municipalities to GSI and may be out of date. Check the "
        "municipality's announcements for which shelters are open.",
        "River water levels", "No river readings yet.", "River", "Station", "Water level", "Alert level",
        "Sources and credits", "Text for screen readers"), strict=True)),
    "pt": dict(zip(_KEYS, (
        "Bosai Watch da Província de Mie", "Alertas em vigor", "Não há alertas em vigor agora.",
        "Alertas por município", "Não há alertas meteorológicos em vigor.", "Abrigos designados",
        "Os dados dos abrigos são os informados pelos municípios ao GSI e podem estar desatualizados. "
        "Confira os avisos do município sobre quais abrigos estão abertos.",
        "Nível dos rios", "Ainda não há leituras dos rios.", "Rio", "Estação", "Nível da água",
        "Nível de alerta", "Fontes e créditos", "Texto para leitores de tela"), strict=True)),
    "zh-Hans": dict(zip(_KEYS, (
        "三重县 防灾观察", "当前发布的信息", "目前没有发布中的信息。", "各市町的警报・注意报",
        "目前没有发布警报或注意报。", "指定避难所・紧急避难场所",
        "避难所信息由各市町报送国土地理院，可能不是最新信息。开放情况请以市町的公告为准。",
        "河流水位", "暂无水位信息。", "河流", "观测站", "水位", "警戒等级", "出处・致谢", "朗读用文本"), strict=True)),
    "ko": dict(zip(_KEYS, (
        "미에현 방재 워치", "발표 중인 정보", "현재 발표 중인 정보가 없습니다.", "시정별 경보・주의보",
        "현재 경보・주의보가 발표되어 있지 않습니다.", "지정 피난소・긴급 피난 장소",
        "피난소 정보는 시정이 국토지리원에 신고한 것으로 최신이 아닐 수 있습니다. "
        "개설 여부는 시정의 발표를 확인하십시오.",
        "하천 수위", "아직 수위 정보가 없습니다.", "하천", "관측소", "수위", "경계 레벨", "출처・크레딧",
        "읽어주기용 텍스트"), strict=True)),
    "es": dict(zip(_KEYS, (
        "Bosai Watch de la Prefectura de Mie", "Alertas vigentes", "No hay alertas vigentes ahora.",
        "Avisos por municipio", "No hay avisos meteorológicos vigentes.", "Refugios designados",
        "Los datos de refugios son los que los municipios comunicaron al GSI y pueden no estar al día. "
        "Consulte los anuncios del municipio para saber qué refugios están abiertos.",
        "Nivel de los ríos", "Todavía no hay lecturas de los ríos.", "Río", "Estación", "Nivel del agua",
        "Nivel de alerta", "Fuentes y créditos", "Texto para lectores de pantalla"), strict=True)),
    "tl": dict(zip(_KEYS, (
        "Bosai Watch ng Mie Prefecture", "Mga kasalukuyang alerto", "Walang alerto sa ngayon.",
        "Mga babala ayon sa munisipyo", "Walang babala o abiso sa ngayon.", "Mga itinalagang evacuation center",
        "Ang datos ng evacuation center ay mula sa ulat ng mga munisipyo sa GSI at maaaring luma na. "
        "Alamin sa anunsyo ng munisipyo kung alin ang bukas.",
        "Taas ng tubig sa ilog", "Wala pang datos ng ilog.", "Ilog", "Istasyon", "Taas ng tubig",
        "Antas ng alerto", "Pinagmulan at pagkilala", "Teksto para sa screen reader"), strict=True)),
    "vi": dict(zip(_KEYS, (
        "Bosai Watch tỉnh Mie", "Cảnh báo hiện hành", "Hiện không có cảnh báo nào.",
        "Cảnh báo theo thành phố, thị trấn", "Hiện không có cảnh báo hay chú ý nào.", "Nơi sơ tán được chỉ định",
        "Dữ liệu nơi sơ tán do các địa phương báo cho GSI và có thể chưa cập nhật. "
        "Hãy xem thông báo của địa phương để biết nơi nào đang mở.",
        "Mực nước sông", "Chưa có số liệu mực nước.", "Sông", "Trạm đo", "Mực nước", "Cấp độ cảnh báo",
        "Nguồn và ghi công", "Văn bản cho trình đọc màn hình"), strict=True)),
}

# The archive of past alerts: (link and heading, what the page holds, no entries).
ARCHIVE: Final[dict[str, tuple[str, str, str]]] = {
    "ja": ("過去の情報", "解除・更新された情報を含む、これまでの情報です。", "まだ情報はありません。"),
    "ja-easy": ("まえの じょうほう", "もう おわった じょうほうも あります。", "まだ じょうほうは ありません。"),
    "en": ("Past alerts", "All alerts so far, including those lifted or replaced.", "No alerts yet."),
    "pt": ("Alertas anteriores", "Todos os alertas até agora, inclusive os cancelados ou substituídos.",
           "Ainda não há alertas."),
    "zh-Hans": ("以往信息", "迄今为止的全部信息，包括已解除或已更新的信息。", "暂无信息。"),
    "ko": ("지난 정보", "해제되거나 갱신된 정보를 포함한 지금까지의 정보입니다.", "아직 정보가 없습니다."),
    "es": ("Alertas anteriores", "Todas las alertas hasta ahora, incluidas las levantadas o reemplazadas.",
           "Todavía no hay alertas."),
    "tl": ("Mga nakaraang alerto", "Lahat ng alerto, pati ang mga binawi o pinalitan na.", "Wala pang alerto."),
    "vi": ("Cảnh báo trước đây", "Tất cả cảnh báo cho đến nay, kể cả cảnh báo đã dỡ bỏ hoặc được thay thế.",
           "Chưa có cảnh báo nào."),
}


def ui(lang: str) -> dict[str, str]:
    """The labels of ``lang`` (English when unknown)."""
    archive, archive_note, no_archive = ARCHIVE.get(lang, ARCHIVE["en"])
    return {**UI.get(lang, UI["en"]), "archive": archive, "archive_note": archive_note, "no_archive": no_archive}
