"""The default reminder rules, with their templates in English, French, Spanish and Chinese.

Staff change them on /reminders/rules/. Offsets: 60 and 14 days before the deadline, 1 and 30
days after the grace period (the issue's example); arrears reminders come with the finance module.
"""

from django.db import migrations

SIGNATURE = {"en": "ATT Secretariat", "fr": "Secrétariat du TCA", "es": "Secretaría del TCA", "zh-hans": "《武器贸易条约》秘书处"}

REPORT = {
    "en": (
        "Reminder: {obligation} of {state}, due {due_date}",
        "Dear colleagues,\n\nThis is a reminder from the Secretariat of the Arms Trade Treaty.\n\n"
        "Report: {obligation}\nState: {state}\nDeadline: {due_date} (grace period until {grace_end})\n\n"
        "Our records show that this report has not been received yet. You can prepare and submit it "
        "online, or download the reporting template, here:\n{link}\n\n"
        "If you have already sent it, please disregard this message.\n\n",
    ),
    "fr": (
        "Rappel : {obligation} – {state}, date limite le {due_date}",
        "Madame, Monsieur,\n\nCeci est un rappel du Secrétariat du Traité sur le commerce des armes.\n\n"
        "Rapport : {obligation}\nÉtat : {state}\nDate limite : {due_date} (délai de grâce jusqu'au {grace_end})\n\n"
        "Selon nos registres, ce rapport n'a pas encore été reçu. Vous pouvez le préparer et le soumettre "
        "en ligne, ou télécharger le modèle de rapport, à l'adresse suivante :\n{link}\n\n"
        "Si vous l'avez déjà envoyé, veuillez ne pas tenir compte de ce message.\n\n",
    ),
    "es": (
        "Recordatorio: {obligation} – {state}, plazo {due_date}",
        "Estimados colegas:\n\nEste es un recordatorio de la Secretaría del Tratado sobre el Comercio de Armas.\n\n"
        "Informe: {obligation}\nEstado: {state}\nPlazo: {due_date} (período de gracia hasta el {grace_end})\n\n"
        "Según nuestros registros, este informe aún no se ha recibido. Puede prepararlo y presentarlo en "
        "línea, o descargar la plantilla de informe, aquí:\n{link}\n\n"
        "Si ya lo ha enviado, le rogamos que no tenga en cuenta este mensaje.\n\n",
    ),
    "zh-hans": (
        "提醒：{state} {obligation}，截止日期 {due_date}",
        "各位同事：\n\n这是《武器贸易条约》秘书处的提醒。\n\n"
        "报告：{obligation}\n国家：{state}\n截止日期：{due_date}（宽限期至 {grace_end}）\n\n"
        "根据我们的记录，尚未收到该报告。您可以在以下网址在线编写和提交报告，或下载报告模板：\n{link}\n\n"
        "如您已提交，请忽略本信息。\n\n",
    ),
}

CONTROL_LIST = {
    "en": (
        "Reminder: national control list of {state}",
        "Dear colleagues,\n\nUnder Article 5(4) of the Arms Trade Treaty, each State Party provides its national "
        "control list to the Secretariat. Our records show that the Secretariat has not yet received the "
        "national control list of {state}.\n\nYou can send it, in one or more languages, here:\n{link}\n\n"
        "If you have already sent it, please disregard this message.\n\n",
    ),
    "fr": (
        "Rappel : liste de contrôle nationale – {state}",
        "Madame, Monsieur,\n\nConformément à l'article 5(4) du Traité sur le commerce des armes, chaque État Partie "
        "communique sa liste de contrôle nationale au Secrétariat. Selon nos registres, le Secrétariat n'a pas "
        "encore reçu la liste de contrôle nationale de l'État suivant : {state}.\n\n"
        "Vous pouvez l'envoyer, dans une ou plusieurs langues, ici :\n{link}\n\n"
        "Si vous l'avez déjà envoyée, veuillez ne pas tenir compte de ce message.\n\n",
    ),
    "es": (
        "Recordatorio: lista nacional de control – {state}",
        "Estimados colegas:\n\nDe conformidad con el artículo 5(4) del Tratado sobre el Comercio de Armas, cada "
        "Estado Parte proporciona su lista nacional de control a la Secretaría. Según nuestros registros, la "
        "Secretaría aún no ha recibido la lista nacional de control del Estado siguiente: {state}.\n\n"
        "Puede enviarla, en uno o varios idiomas, aquí:\n{link}\n\n"
        "Si ya la ha enviado, le rogamos que no tenga en cuenta este mensaje.\n\n",
    ),
    "zh-hans": (
        "提醒：{state}的国家管制清单",
        "各位同事：\n\n根据《武器贸易条约》第5条第4款，每个缔约国应向秘书处提供其国家管制清单。"
        "根据我们的记录，秘书处尚未收到{state}的国家管制清单。\n\n您可以在此处提交（一种或多种语言）：\n{link}\n\n"
        "如您已提交，请忽略本信息。\n\n",
    ),
}

CONTACT = {
    "en": (
        "Please confirm your contact details ({state})",
        "Dear colleagues,\n\nThe Secretariat keeps the directory of national points of contact (Article 5(6) of "
        "the Arms Trade Treaty).\n\n{obligation}\nState: {state}\nConfirmation due: {due_date}\n\n"
        "These details were last confirmed more than a year ago. Please check them, and confirm that they are "
        "still current or propose a change, here:\n{link}\n\n",
    ),
    "fr": (
        "Veuillez confirmer vos coordonnées ({state})",
        "Madame, Monsieur,\n\nLe Secrétariat tient le répertoire des points de contact nationaux (article 5(6) du "
        "Traité sur le commerce des armes).\n\n{obligation}\nÉtat : {state}\nConfirmation attendue : {due_date}\n\n"
        "Ces coordonnées ont été confirmées il y a plus d'un an. Veuillez les vérifier, puis confirmer qu'elles "
        "sont toujours exactes ou proposer une modification, ici :\n{link}\n\n",
    ),
    "es": (
        "Le rogamos que confirme sus datos de contacto ({state})",
        "Estimados colegas:\n\nLa Secretaría mantiene el directorio de puntos de contacto nacionales (artículo 5(6) "
        "del Tratado sobre el Comercio de Armas).\n\n{obligation}\nEstado: {state}\nConfirmación prevista: "
        "{due_date}\n\nEstos datos se confirmaron por última vez hace más de un año. Le rogamos que los "
        "verifique y confirme que siguen vigentes o proponga un cambio, aquí:\n{link}\n\n",
    ),
    "zh-hans": (
        "请确认您的联系信息（{state}）",
        "各位同事：\n\n秘书处负责维护国家联络点名录（《武器贸易条约》第5条第6款）。\n\n"
        "{obligation}\n国家：{state}\n确认截止日期：{due_date}\n\n"
        "上述信息上次确认已超过一年。请在此处核对，并确认信息仍然有效或提出修改：\n{link}\n\n",
    ),
}

RULES = [
    ("Initial report (Art. 13(1))", "initial_report", "-60,-14,1,30", "npc,reporting", True, REPORT),
    ("Annual report (Art. 13(3))", "annual_report", "-60,-14,1,30", "npc,reporting", True, REPORT),
    ("National control list never provided (Art. 5(4))", "control_list_missing", "-30", "npc", False, CONTROL_LIST),
    ("Contact not confirmed for 12 months (Art. 5(6))", "contact_unconfirmed", "0,30", "npc,reporting,mission,finance", False, CONTACT),
]


def create(apps, schema_editor):
    Rule = apps.get_model("reminders", "ReminderRule")
    Template = apps.get_model("reminders", "ReminderTemplate")
    for name, trigger, offsets, roles, representatives, texts in RULES:
        if Rule.objects.filter(trigger=trigger).exists():
            continue
        rule = Rule.objects.create(
            name=name,
            trigger=trigger,
            offsets=offsets,
            recipient_roles=roles,
            include_representatives=representatives,
        )
        for language, (subject, body) in texts.items():
            Template.objects.create(rule=rule, language=language, subject=subject, body=body + SIGNATURE[language])


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
