"""The few fixed texts of subscription messages (confirmation request, unsubscribe footer) in nine languages.

These carry no warning, only how to confirm or stop a subscription. The non-Japanese texts were written by
the project and await review by native speakers, like the page labels.
"""

from __future__ import annotations

from typing import Final

# (confirmation subject, confirmation body with {url} and {hours}, unsubscribe footer with {url})
TEXTS: Final[dict[str, tuple[str, str, str]]] = {
    "ja": ("防災ウォッチ：登録の確認", "三重県 防災ウォッチの情報配信への登録を受け付けました。\n"
           "登録を完了するには、{hours}時間以内に次のリンクを開き、「登録する」を押してください。\n{url}\n\n"
           "お心当たりがない場合は、このメールを破棄してください。確認されるまで情報は配信されません。",
           "配信を停止するには：{url}"),
    "ja-easy": ("ぼうさい ウォッチ：とうろくの かくにん", "みえけん ぼうさい ウォッチの じょうほうを うけとる "
                "もうしこみが ありました。\n{hours}じかんの うちに つぎの リンクを ひらいて、"
                "「とうろくする」を おして ください。\n{url}\n\n"
                "しらない ときは、この メールを すてて ください。かくにんするまで じょうほうは おくりません。",
                "じょうほうを とめる とき：{url}"),
    "en": ("Bosai Watch: please confirm your subscription", "We received a request to send you alerts from "
           "Mie Prefecture Bosai Watch.\nTo start them, open this link within {hours} hours and press "
           "\"Subscribe\":\n{url}\n\nIf you did not ask for this, ignore this message: nothing will be sent "
           "until the subscription is confirmed.", "To stop these alerts: {url}"),
    "pt": ("Bosai Watch: confirme sua inscrição", "Recebemos um pedido para enviar a você os alertas do "
           "Bosai Watch da Província de Mie.\nPara começar, abra este link em até {hours} horas e aperte "
           "\"Inscrever\":\n{url}\n\nSe não foi você, ignore esta mensagem: nada será enviado sem a "
           "confirmação.", "Para parar estes alertas: {url}"),
    "zh-Hans": ("防灾观察：请确认订阅", "我们收到了向您发送三重县防灾观察信息的申请。\n"
                "请在{hours}小时内打开以下链接并点击“订阅”：\n{url}\n\n"
                "如果这不是您本人的申请，请忽略本邮件：在确认之前不会发送任何信息。", "停止接收信息：{url}"),
    "ko": ("방재 워치: 구독을 확인해 주십시오", "미에현 방재 워치의 정보 수신 신청을 받았습니다.\n"
           "{hours}시간 안에 다음 링크를 열고 \"구독\"을 눌러 주십시오.\n{url}\n\n"
           "신청하지 않으셨다면 이 메일을 무시해 주십시오. 확인 전에는 정보를 보내지 않습니다.",
           "수신을 중지하려면: {url}"),
    "es": ("Bosai Watch: confirme su suscripción", "Recibimos una solicitud para enviarle las alertas de "
           "Bosai Watch de la Prefectura de Mie.\nPara empezar, abra este enlace dentro de {hours} horas y "
           "pulse \"Suscribirse\":\n{url}\n\nSi no fue usted, ignore este mensaje: no se enviará nada sin la "
           "confirmación.", "Para dejar de recibir estas alertas: {url}"),
    "tl": ("Bosai Watch: pakikumpirma ang subscription", "May humiling na padalhan ka ng mga alerto ng "
           "Bosai Watch ng Mie Prefecture.\nPara magsimula, buksan ang link na ito sa loob ng {hours} oras at "
           "pindutin ang \"Mag-subscribe\":\n{url}\n\nKung hindi ikaw ito, huwag pansinin ang mensaheng ito: "
           "walang ipapadala hangga't hindi nakukumpirma.", "Para itigil ang mga alertong ito: {url}"),
    "vi": ("Bosai Watch: vui lòng xác nhận đăng ký", "Chúng tôi nhận được yêu cầu gửi cho bạn cảnh báo của "
           "Bosai Watch tỉnh Mie.\nĐể bắt đầu, hãy mở liên kết này trong vòng {hours} giờ và nhấn "
           "\"Đăng ký\":\n{url}\n\nNếu không phải bạn yêu cầu, hãy bỏ qua thư này: sẽ không có gì được gửi "
           "khi chưa xác nhận.", "Để ngừng nhận cảnh báo: {url}"),
}


def confirmation_text(lang: str, url: str, hours: int) -> tuple[str, str]:
    """Subject and body of the confirmation request (English when ``lang`` is unknown)."""
    subject, body, _ = TEXTS.get(lang, TEXTS["en"])
    return subject, body.format(url=url, hours=hours)


def unsubscribe_footer(lang: str, url: str) -> str:
    """The line under every alert message that ends the subscription in one click."""
    return TEXTS.get(lang, TEXTS["en"])[2].format(url=url)
