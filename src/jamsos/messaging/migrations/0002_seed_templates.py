"""The first texts of every message kind, per channel (Bahasa Indonesia). Staff edit them
later; placeholders in braces are filled by the event (messaging.events)."""

from django.db import migrations

FOOTER_WA = "\n\n— Jamsos Disnakertrans. Balas BERHENTI bila tidak ingin menerima pesan."

TEMPLATES = [
    # (code, channel, subject, body, description)
    (
        "bpjs_rejected",
        "email",
        "{jumlah} usulan Anda ditolak BPJS ({sk})",
        "Yth. Agen Perisai,\n\n{jumlah} orang usulan dari nagari Anda ditolak BPJS "
        "Ketenagakerjaan pada verifikasi {sk}:\n{daftar}\n\nPerbaiki datanya bersama "
        "Disnakertrans lalu usulkan kembali bila memenuhi syarat.",
        "Agen: orang yang diusulkan ditolak BPJS, dengan alasannya",
    ),
    (
        "bpjs_rejected",
        "whatsapp",
        "",
        "Jamsos: {jumlah} usulan dari nagari Anda ditolak BPJS ({sk}):\n{daftar}\n"
        "Perbaiki data lalu usulkan kembali bila memenuhi syarat." + FOOTER_WA,
        "Agen: orang yang diusulkan ditolak BPJS, dengan alasannya",
    ),
    (
        "claim_stage_family",
        "whatsapp",
        "",
        "Jamsos: klaim {jenis} {nomor_klaim} atas nama {nama}: {tahap}.{keterangan}"
        + FOOTER_WA,
        "Ahli waris/keluarga: setiap tahap klaim (perlu persetujuan penerima)",
    ),
    (
        "claim_stage_family",
        "sms",
        "",
        "Jamsos: klaim {jenis} {nomor_klaim} a.n. {nama}: {tahap}.{keterangan}",
        "Ahli waris/keluarga: setiap tahap klaim (perlu persetujuan penerima)",
    ),
    (
        "claim_stage_family",
        "email",
        "Klaim {nomor_klaim}: {tahap}",
        "Yth. keluarga almarhum/almarhumah {nama},\n\nKlaim {jenis} {nomor_klaim}: "
        "{tahap}.{keterangan}\n\nHubungi agen di nagari {nagari} atau Disnakertrans bila ada "
        "pertanyaan.",
        "Ahli waris/keluarga: setiap tahap klaim (perlu persetujuan penerima)",
    ),
    (
        "claim_stage_agent",
        "whatsapp",
        "",
        "Jamsos: klaim {jenis} {nomor_klaim} ({nama}, {nagari}): {tahap}.{keterangan}"
        + FOOTER_WA,
        "Agen: setiap tahap klaim di nagarinya (tanpa nominal manfaat)",
    ),
    (
        "claim_stage_agent",
        "email",
        "Klaim {nomor_klaim}: {tahap}",
        "Klaim {jenis} {nomor_klaim} ({nama}, nagari {nagari}): {tahap}.{keterangan}",
        "Agen: setiap tahap klaim di nagarinya (tanpa nominal manfaat)",
    ),
    (
        "bill_due",
        "email",
        "Tagihan iuran {nomor} ({bulan}) perlu dibayar",
        "Tagihan iuran {nomor} untuk {bulan} ({sumber}) sudah diterbitkan BPJS: {jumlah} "
        "untuk {peserta} peserta. Mohon proses pembayaran (SP2D) dan catat di Jamsos.",
        "Dinas: tagihan iuran diterbitkan dan jatuh tempo",
    ),
    (
        "bill_due",
        "whatsapp",
        "",
        "Jamsos: tagihan iuran {nomor} ({bulan}, {sumber}) {jumlah} untuk {peserta} peserta "
        "sudah terbit; mohon diproses." + FOOTER_WA,
        "Dinas: tagihan iuran diterbitkan dan jatuh tempo",
    ),
    (
        "batch_awaiting_approval",
        "email",
        "Usulan menunggu persetujuan: {judul}",
        "Usulan {judul} ({wilayah}) berisi {jumlah} orang dan menunggu persetujuan Anda "
        "di Jamsos.",
        "Kepala dinas: usulan diajukan operator dan menunggu persetujuan",
    ),
    (
        "batch_awaiting_approval",
        "whatsapp",
        "",
        "Jamsos: usulan {judul} ({wilayah}, {jumlah} orang) menunggu persetujuan Anda."
        + FOOTER_WA,
        "Kepala dinas: usulan diajukan operator dan menunggu persetujuan",
    ),
    (
        "action_item_due",
        "email",
        "Tindak lanjut jatuh tempo {tanggal}: {judul}",
        "Tindak lanjut forum {forum} \"{judul}\" jatuh tempo {tanggal}. Mohon catat "
        "penyelesaiannya di Jamsos.",
        "Anggota forum: butir tindak lanjut jatuh tempo",
    ),
    (
        "action_item_due",
        "whatsapp",
        "",
        "Jamsos: tindak lanjut forum {forum} \"{judul}\" jatuh tempo {tanggal}." + FOOTER_WA,
        "Anggota forum: butir tindak lanjut jatuh tempo",
    ),
    (
        "followup_opened",
        "whatsapp",
        "",
        "Jamsos: {nama} dari nagari {nagari} meninggal {tanggal} dan belum ada klaim JKM. "
        "Mohon temui ahli warisnya dan bantu klaim, atau catat alasannya." + FOOTER_WA,
        "Agen: peserta meninggal, klaim JKM belum diajukan",
    ),
    (
        "followup_opened",
        "email",
        "Tindak lanjut klaim JKM: {nama}",
        "{nama} dari nagari {nagari} meninggal {tanggal} dan belum ada klaim JKM. Mohon "
        "temui ahli warisnya dan bantu pengajuan klaim, atau catat alasannya di Jamsos.",
        "Agen: peserta meninggal, klaim JKM belum diajukan",
    ),
]


def seed(apps, schema_editor):
    Template = apps.get_model("messaging", "Template")
    for code, channel, subject, body, description in TEMPLATES:
        Template.objects.update_or_create(
            code=code,
            channel=channel,
            defaults={"subject": subject, "body": body, "description": description},
        )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
