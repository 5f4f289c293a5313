"""Labels of the sign-up form and of the confirm / unsubscribe pages, in the nine languages.

The non-Japanese labels were written by the project and await review by native speakers.
"""

from __future__ import annotations

from typing import Final

_KEYS: Final = (
    "heading", "note", "area", "all_areas", "language", "channel", "email", "webhook", "address", "submit",
    "confirm_title", "confirm_button", "confirmed", "unsubscribe_title", "unsubscribe_button", "unsubscribed",
    "bad_link", "check_email", "webhook_pending", "webhook_confirmed", "already_pending", "error", "back",
)
LABELS: Final[dict[str, dict[str, str]]] = {
    "ja": dict(zip(_KEYS, (
        "情報をメール・Webhookで受け取る",
        "登録後に確認のメッセージを送ります。確認されるまで情報は配信されません。すべての配信に配信停止のリンクがあります。",
        "地域", "三重県全域", "言語", "受け取り方", "メール", "Webhook", "メールアドレスまたはURL", "登録する",
        "登録の確認", "登録する", "登録が完了しました。この地域の情報をお送りします。", "配信の停止", "配信を停止する",
        "配信を停止しました。登録されたアドレスは削除しました。", "このリンクは無効か、期限が切れています。",
        "確認のメールを送りました。メールのリンクを開いて登録を完了してください。",
        "確認のリクエストをWebhookに送りました。challengeを返すか、confirm_urlを開くと登録が完了します。",
        "Webhookが確認に応答しました。登録が完了しました。",
        "このアドレスには確認のメッセージを送信済みです。そのリンクを開いてください。", "登録できませんでした",
        "戻る"), strict=True)),
    "ja-easy": dict(zip(_KEYS, (
        "じょうほうを メールで うけとる",
        "さいしょに かくにんの メールを おくります。かくにんするまで じょうほうは おくりません。"
        "どの メールにも とめる ための リンクが あります。",
        "ばしょ", "みえけん ぜんぶ", "ことば", "うけとりかた", "メール", "Webhook", "メールアドレス または URL",
        "とうろくする", "とうろくの かくにん", "とうろくする", "とうろく できました。じょうほうを おくります。",
        "じょうほうを とめる", "とめる", "とめました。アドレスは けしました。",
        "この リンクは つかえません。じかんが すぎたかも しれません。",
        "かくにんの メールを おくりました。メールの リンクを ひらいて ください。",
        "かくにんの おしらせを Webhookに おくりました。challengeを かえすか、confirm_urlを ひらいて ください。",
        "Webhookが こたえました。とうろく できました。",
        "この アドレスには もう かくにんを おくりました。その リンクを ひらいて ください。",
        "とうろく できませんでした", "もどる"), strict=True)),
    "en": dict(zip(_KEYS, (
        "Get alerts by e-mail or webhook",
        "We first send a confirmation message; nothing is sent until you confirm. Every message has an "
        "unsubscribe link.",
        "Area", "All of Mie", "Language", "Send to", "E-mail", "Webhook", "E-mail address or URL", "Sign up",
        "Confirm your subscription", "Subscribe", "Subscribed. You will get alerts for your area.",
        "Unsubscribe", "Unsubscribe", "Unsubscribed. Your address has been deleted.",
        "This link is not valid or has expired.",
        "We sent you a confirmation e-mail. Open its link to start the alerts.",
        "We posted a confirmation request to your webhook. Echo its challenge or open its confirm_url.",
        "Your webhook echoed the challenge: subscribed.",
        "A confirmation was already sent to this address. Please follow its link.", "Could not sign up",
        "Back"), strict=True)),
    "pt": dict(zip(_KEYS, (
        "Receba alertas por e-mail ou webhook",
        "Primeiro enviamos uma mensagem de confirmação; nada é enviado antes de você confirmar. Toda mensagem "
        "tem um link para cancelar.",
        "Área", "Toda a Província de Mie", "Idioma", "Enviar para", "E-mail", "Webhook", "E-mail ou URL",
        "Inscrever", "Confirme sua inscrição", "Inscrever", "Inscrição feita. Você receberá os alertas da sua área.",
        "Cancelar inscrição", "Cancelar inscrição", "Inscrição cancelada. Seu endereço foi apagado.",
        "Este link não é válido ou expirou.",
        "Enviamos um e-mail de confirmação. Abra o link dele para começar a receber os alertas.",
        "Enviamos um pedido de confirmação ao seu webhook. Devolva o challenge ou abra o confirm_url.",
        "Seu webhook devolveu o challenge: inscrição feita.",
        "Já enviamos uma confirmação para este endereço. Siga o link dela.", "Não foi possível inscrever",
        "Voltar"), strict=True)),
    "zh-Hans": dict(zip(_KEYS, (
        "通过电子邮件或Webhook接收信息", "我们会先发送确认消息，确认之前不会发送任何信息。每条消息都附有退订链接。",
        "地区", "三重县全域", "语言", "接收方式", "电子邮件", "Webhook", "电子邮件地址或URL", "订阅",
        "确认订阅", "订阅", "订阅成功。我们将发送您所在地区的信息。", "退订", "退订", "已退订，您的地址已删除。",
        "此链接无效或已过期。", "我们已发送确认邮件，请打开邮件中的链接开始接收。",
        "我们已向您的Webhook发送确认请求。请返回challenge或打开confirm_url。", "您的Webhook已返回challenge：订阅成功。",
        "已向此地址发送过确认消息，请打开其中的链接。", "无法订阅", "返回"), strict=True)),
    "ko": dict(zip(_KEYS, (
        "이메일 또는 Webhook으로 정보 받기",
        "먼저 확인 메시지를 보냅니다. 확인 전에는 정보를 보내지 않습니다. 모든 메시지에 수신 중지 링크가 있습니다.",
        "지역", "미에현 전역", "언어", "받는 방법", "이메일", "Webhook", "이메일 주소 또는 URL", "구독",
        "구독 확인", "구독", "구독되었습니다. 지역의 정보를 보내 드립니다.", "수신 중지", "수신 중지",
        "수신을 중지했습니다. 주소는 삭제했습니다.", "이 링크는 유효하지 않거나 만료되었습니다.",
        "확인 메일을 보냈습니다. 메일의 링크를 열어 주십시오.",
        "Webhook으로 확인 요청을 보냈습니다. challenge를 돌려주거나 confirm_url을 열어 주십시오.",
        "Webhook이 challenge를 돌려주었습니다. 구독되었습니다.",
        "이 주소로 이미 확인 메시지를 보냈습니다. 그 링크를 열어 주십시오.", "구독할 수 없습니다", "돌아가기"),
        strict=True)),
    "es": dict(zip(_KEYS, (
        "Reciba alertas por correo o webhook",
        "Primero enviamos un mensaje de confirmación; no se envía nada hasta que confirme. Cada mensaje tiene "
        "un enlace para darse de baja.",
        "Zona", "Toda la Prefectura de Mie", "Idioma", "Enviar a", "Correo", "Webhook", "Correo o URL",
        "Suscribirse", "Confirme su suscripción", "Suscribirse",
        "Suscripción hecha. Recibirá las alertas de su zona.", "Darse de baja", "Darse de baja",
        "Se dio de baja. Su dirección fue borrada.", "Este enlace no es válido o ha caducado.",
        "Le enviamos un correo de confirmación. Abra su enlace para empezar a recibir alertas.",
        "Enviamos una solicitud de confirmación a su webhook. Devuelva el challenge o abra el confirm_url.",
        "Su webhook devolvió el challenge: suscripción hecha.",
        "Ya enviamos una confirmación a esta dirección. Siga su enlace.", "No se pudo suscribir", "Volver"),
        strict=True)),
    "tl": dict(zip(_KEYS, (
        "Tumanggap ng alerto sa e-mail o webhook",
        "Magpapadala muna kami ng mensaheng pangkumpirma; walang ipapadala hangga't hindi mo kinukumpirma. "
        "May link para huminto sa bawat mensahe.",
        "Lugar", "Buong Mie", "Wika", "Ipadala sa", "E-mail", "Webhook", "E-mail o URL", "Mag-subscribe",
        "Kumpirmahin ang subscription", "Mag-subscribe",
        "Naka-subscribe ka na. Padadalhan ka ng mga alerto para sa lugar mo.", "Huminto", "Huminto",
        "Huminto na. Binura ang address mo.", "Hindi wasto o luma na ang link na ito.",
        "Nagpadala kami ng e-mail na pangkumpirma. Buksan ang link nito para magsimula.",
        "Nagpadala kami ng kahilingang pangkumpirma sa webhook mo. Ibalik ang challenge o buksan ang confirm_url.",
        "Ibinalik ng webhook mo ang challenge: naka-subscribe ka na.",
        "Napadalhan na ng kumpirmasyon ang address na ito. Sundin ang link nito.", "Hindi nakapag-subscribe",
        "Bumalik"), strict=True)),
    "vi": dict(zip(_KEYS, (
        "Nhận cảnh báo qua e-mail hoặc webhook",
        "Trước tiên chúng tôi gửi tin xác nhận; sẽ không gửi gì cho đến khi bạn xác nhận. Mỗi tin đều có "
        "liên kết hủy đăng ký.",
        "Khu vực", "Toàn tỉnh Mie", "Ngôn ngữ", "Gửi đến", "E-mail", "Webhook", "Địa chỉ e-mail hoặc URL",
        "Đăng ký", "Xác nhận đăng ký", "Đăng ký", "Đã đăng ký. Bạn sẽ nhận cảnh báo cho khu vực của mình.",
        "Hủy đăng ký", "Hủy đăng ký", "Đã hủy đăng ký. Địa chỉ của bạn đã bị xóa.",
        "Liên kết này không hợp lệ hoặc đã hết hạn.",
        "Chúng tôi đã gửi e-mail xác nhận. Hãy mở liên kết trong đó để bắt đầu nhận cảnh báo.",
        "Chúng tôi đã gửi yêu cầu xác nhận đến webhook của bạn. Hãy trả lại challenge hoặc mở confirm_url.",
        "Webhook của bạn đã trả lại challenge: đã đăng ký.",
        "Đã gửi xác nhận đến địa chỉ này. Hãy mở liên kết trong đó.", "Không thể đăng ký", "Quay lại"),
        strict=True)),
}


def labels(lang: str) -> dict[str, str]:
    """The sign-up labels of ``lang`` (English when unknown)."""
    return LABELS.get(lang, LABELS["en"])
