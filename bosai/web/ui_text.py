"""Labels of the public page per language (page furniture only; alert texts come from the i18n catalogs).

The non-Japanese labels were written by the project and await review by native speakers.
"""

from __future__ import annotations

from typing import Final

from kernel.languages import REGISTRY

LANGUAGE_NAMES: Final = {lang.code: lang.name for lang in REGISTRY}  # kernel.languages
HTML_LANG: Final = {lang.code: lang.html_lang for lang in REGISTRY}

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

# The sections of the public page (issue 18 §2): headings, empty states, buttons and short labels.
_SECTION_KEYS: Final = (
    "sections", "evacuations", "no_evacuations", "whole_area", "near_button", "locating", "geo_error", "open_now",
    "no_open", "nearest_designated", "status_open", "status_full", "status_closed", "chart", "forecast",
    "forecast_error", "cameras", "no_cameras", "stale", "taken", "quake", "no_quake", "hypocenter", "magnitude",
    "intensity", "tsunami", "no_tsunami", "updated", "observed", "thresholds")
SECTIONS: Final[dict[str, dict[str, str]]] = {
    "ja": dict(zip(_SECTION_KEYS, (
        "ページ内の項目", "避難情報", "現在、発令中の避難情報はありません。", "全域", "近くの避難所を探す",
        "現在地を確認しています…", "現在地を取得できませんでした。", "開設中の避難所",
        "現在、開設中の避難所はありません。",
        "近くの指定避難所（開設状況は市町の発表を確認）", "開設", "満員", "未開設", "過去24時間の水位", "予測",
        "過去の予測誤差", "河川・道路カメラ", "カメラの画像はまだありません。", "更新が止まっています",
        "撮影", "地震・津波", "最近の地震情報はありません。", "震源", "マグニチュード", "震度",
        "津波警報・注意報", "現在、津波警報・注意報は発表されていません。", "最終更新", "観測",
        "基準水位"), strict=True)),
    "ja-easy": dict(zip(_SECTION_KEYS, (
        "この ページの なかみ", "にげる じょうほう", "いま にげる じょうほうは でていません。", "ぜんぶの ところ",
        "ちかくの ひなんじょを さがす", "いる ところを しらべて います…", "いる ところが わかりませんでした。",
        "あいて いる ひなんじょ", "いま あいて いる ひなんじょは ありません。",
        "ちかくの ひなんじょ(あいて いるかは しやくしょに きいて ください)", "あいて います", "いっぱい です",
        "あいて いません", "24じかんの みずの たかさ", "よそう", "まえの よそうの ずれ", "かわと みちの カメラ",
        "まだ カメラの しゃしんが ありません。", "しゃしんが ふるい です", "とった じかん", "じしん・つなみ",
        "さいきんの じしんは ありません。", "じしんが おきた ところ", "マグニチュード", "しんど",
        "つなみの けいほう", "いま つなみの けいほうは でていません。", "さいごに かわった じかん", "はかった じかん",
        "きけんの めやすの たかさ"), strict=True)),
    "en": dict(zip(_SECTION_KEYS, (
        "On this page", "Evacuation information", "No evacuation information is in force.", "whole area",
        "Find shelters near me", "Finding your location…", "Your location is not available.", "Open shelters",
        "No shelters are open now.", "Nearest designated shelters (check the municipality for which are open)",
        "Open", "Full", "Not open", "Water level, last 24 hours", "Forecast", "past forecast error",
        "River and road cameras", "No camera images yet.", "Image not updated", "Taken", "Earthquakes and tsunami",
        "No recent earthquake information.", "Epicentre", "Magnitude", "Seismic intensity",
        "Tsunami warnings and advisories", "No tsunami warnings or advisories are in force.", "Last updated",
        "Observed", "Threshold levels"), strict=True)),
    "pt": dict(zip(_SECTION_KEYS, (
        "Nesta página", "Informações de evacuação", "Não há ordens de evacuação em vigor.", "toda a área",
        "Encontrar abrigos perto de mim", "Obtendo sua localização…", "Não foi possível obter sua localização.",
        "Abrigos abertos", "Nenhum abrigo está aberto agora.",
        "Abrigos designados mais próximos (confira com o município quais estão abertos)", "Aberto", "Lotado",
        "Fechado", "Nível da água, últimas 24 horas", "Previsão", "erro das previsões anteriores",
        "Câmeras de rios e estradas", "Ainda não há imagens das câmeras.", "Imagem não atualizada", "Tirada em",
        "Terremotos e tsunami", "Não há informações recentes de terremotos.", "Epicentro", "Magnitude",
        "Intensidade sísmica", "Alertas de tsunami", "Não há alertas de tsunami em vigor.", "Última atualização",
        "Medido em", "Níveis de referência"), strict=True)),
    "zh-Hans": dict(zip(_SECTION_KEYS, (
        "本页内容", "避难信息", "目前没有发布中的避难信息。", "全域", "查找附近的避难所", "正在获取您的位置…",
        "无法获取您的位置。", "已开放的避难所", "目前没有开放的避难所。",
        "附近的指定避难所（开放情况请以市町公告为准）",
        "开放", "已满", "未开放", "过去24小时水位", "预测", "以往预测误差", "河流・道路摄像头", "暂无摄像头图像。",
        "图像未更新", "拍摄时间", "地震・海啸", "近期没有地震信息。", "震源", "震级", "震度", "海啸警报・注意报",
        "目前没有发布海啸警报或注意报。", "最后更新", "观测时间", "基准水位"), strict=True)),
    "ko": dict(zip(_SECTION_KEYS, (
        "이 페이지의 항목", "피난 정보", "현재 발령 중인 피난 정보가 없습니다.", "전역", "가까운 피난소 찾기",
        "현재 위치를 확인하는 중…", "현재 위치를 가져올 수 없습니다.", "개설된 피난소",
        "현재 개설된 피난소가 없습니다.",
        "가까운 지정 피난소 (개설 여부는 시정 발표를 확인)", "개설", "만원", "미개설", "최근 24시간 수위", "예측",
        "과거 예측 오차", "하천・도로 카메라", "아직 카메라 이미지가 없습니다.", "이미지가 갱신되지 않음", "촬영",
        "지진・쓰나미", "최근 지진 정보가 없습니다.", "진원", "규모", "진도", "쓰나미 경보・주의보",
        "현재 쓰나미 경보・주의보가 발표되어 있지 않습니다.", "최종 갱신", "관측", "기준 수위"), strict=True)),
    "es": dict(zip(_SECTION_KEYS, (
        "En esta página", "Información de evacuación", "No hay órdenes de evacuación vigentes.", "toda la zona",
        "Buscar refugios cerca de mí", "Obteniendo su ubicación…", "No se pudo obtener su ubicación.",
        "Refugios abiertos", "No hay refugios abiertos ahora.",
        "Refugios designados más cercanos (consulte al municipio cuáles están abiertos)", "Abierto", "Lleno",
        "Cerrado", "Nivel del agua, últimas 24 horas", "Pronóstico", "error de pronósticos anteriores",
        "Cámaras de ríos y carreteras", "Todavía no hay imágenes de cámaras.", "Imagen no actualizada", "Tomada",
        "Terremotos y tsunami", "No hay información reciente de terremotos.", "Epicentro", "Magnitud",
        "Intensidad sísmica", "Avisos de tsunami", "No hay avisos de tsunami vigentes.", "Última actualización",
        "Medido", "Niveles de referencia"), strict=True)),
    "tl": dict(zip(_SECTION_KEYS, (
        "Sa pahinang ito", "Impormasyon sa paglikas", "Walang utos ng paglikas sa ngayon.", "buong lugar",
        "Hanapin ang malapit na evacuation center", "Hinahanap ang iyong lokasyon…",
        "Hindi makuha ang iyong lokasyon.", "Mga bukas na evacuation center",
        "Walang bukas na evacuation center sa ngayon.",
        "Pinakamalapit na itinalagang evacuation center (alamin sa munisipyo kung alin ang bukas)", "Bukas",
        "Puno na", "Sarado", "Taas ng tubig, nakaraang 24 oras", "Pagtataya", "dating mali ng pagtataya",
        "Mga camera sa ilog at kalsada", "Wala pang larawan mula sa camera.", "Hindi na-update ang larawan",
        "Kuha noong", "Lindol at tsunami", "Walang bagong impormasyon tungkol sa lindol.", "Episentro",
        "Magnitude", "Lakas ng lindol (shindo)", "Mga babala sa tsunami", "Walang babala sa tsunami sa ngayon.",
        "Huling update", "Sinukat noong", "Mga antas ng babala"), strict=True)),
    "vi": dict(zip(_SECTION_KEYS, (
        "Trong trang này", "Thông tin sơ tán", "Hiện không có lệnh sơ tán nào.", "toàn khu vực",
        "Tìm nơi sơ tán gần tôi", "Đang xác định vị trí của bạn…", "Không lấy được vị trí của bạn.",
        "Nơi sơ tán đang mở", "Hiện không có nơi sơ tán nào đang mở.",
        "Nơi sơ tán được chỉ định gần nhất (hãy xem thông báo của địa phương để biết nơi nào mở)", "Đang mở",
        "Đã đầy", "Chưa mở", "Mực nước 24 giờ qua", "Dự báo", "sai số dự báo trước đây",
        "Camera sông và đường", "Chưa có hình ảnh camera.", "Hình ảnh không được cập nhật", "Chụp lúc",
        "Động đất và sóng thần", "Không có thông tin động đất gần đây.", "Tâm chấn", "Độ lớn",
        "Cường độ địa chấn", "Cảnh báo sóng thần", "Hiện không có cảnh báo sóng thần nào.", "Cập nhật lần cuối",
        "Đo lúc", "Các mức nước chuẩn"), strict=True)),
}

# What a shelter is designated for (the columns of shelters.csv) and the reasons of evacuation orders.
_HAZARD_KEYS: Final = ("flood", "landslide", "storm_surge", "earthquake", "tsunami", "fire", "inland_flooding",
                       "volcano", "heavy_rain", "other")
HAZARD_NAMES: Final[dict[str, dict[str, str]]] = {
    "ja": dict(zip(_HAZARD_KEYS, ("洪水", "土砂災害", "高潮", "地震", "津波", "大規模な火事", "内水氾濫", "火山現象",
                                  "大雨", "その他"), strict=True)),
    "ja-easy": dict(zip(_HAZARD_KEYS, ("かわの みずが あふれる", "がけくずれ", "たかしお(うみの みずが くる)",
                                       "じしん", "つなみ", "おおきな かじ", "まちに みずが たまる", "かざん",
                                       "おおあめ", "ほか"), strict=True)),
    "en": dict(zip(_HAZARD_KEYS, ("Flood", "Landslide", "Storm surge", "Earthquake", "Tsunami", "Large fire",
                                  "Inland flooding", "Volcano", "Heavy rain", "Other"), strict=True)),
    "pt": dict(zip(_HAZARD_KEYS, ("Enchente", "Deslizamento de terra", "Ressaca (maré de tempestade)", "Terremoto",
                                  "Tsunami", "Grande incêndio", "Alagamento urbano", "Vulcão", "Chuva forte",
                                  "Outros"), strict=True)),
    "zh-Hans": dict(zip(_HAZARD_KEYS, ("洪水", "泥石流・山体滑坡", "风暴潮", "地震", "海啸", "大规模火灾", "内涝",
                                       "火山", "暴雨", "其他"), strict=True)),
    "ko": dict(zip(_HAZARD_KEYS, ("홍수", "토사 재해", "해일(고조)", "지진", "쓰나미", "대규모 화재", "내수 범람",
                                  "화산", "폭우", "기타"), strict=True)),
    "es": dict(zip(_HAZARD_KEYS, ("Inundación", "Deslizamiento de tierra", "Marea de tormenta", "Terremoto",
                                  "Tsunami", "Gran incendio", "Inundación urbana", "Volcán", "Lluvia intensa",
                                  "Otros"), strict=True)),
    "tl": dict(zip(_HAZARD_KEYS, ("Baha", "Pagguho ng lupa", "Storm surge", "Lindol", "Tsunami", "Malaking sunog",
                                  "Pagbaha sa loob ng bayan", "Bulkan", "Malakas na ulan", "Iba pa"), strict=True)),
    "vi": dict(zip(_HAZARD_KEYS, ("Lũ lụt", "Sạt lở đất", "Triều cường do bão", "Động đất", "Sóng thần",
                                  "Hỏa hoạn lớn", "Ngập úng nội thị", "Núi lửa", "Mưa lớn", "Khác"), strict=True)),
}


def section_labels(lang: str) -> dict[str, str]:
    """The labels of the public page's sections in ``lang`` (English when unknown)."""
    return SECTIONS.get(lang, SECTIONS["en"])


def hazard_names(lang: str) -> dict[str, str]:
    """Hazard codes (shelter designations, evacuation reasons) -> names in ``lang``, never raw codes."""
    return HAZARD_NAMES.get(lang, HAZARD_NAMES["en"])
