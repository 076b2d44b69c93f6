"""A payout records its payee and how it was paid (issue 9).

Claims paid before this migration did not record either: the backfill names the heir
marked as payee (else the first heir, else the worker) and the method "tidak_tercatat",
a value the service never accepts, so old rows satisfy the new rules without inventing
a transfer that nobody recorded.
"""

import django.db.models.deletion
from django.db import migrations, models


DEATH_OR_SCHOLARSHIP = ("jkm", "jkk_death", "beasiswa")


def backfill(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    ClaimHeir = apps.get_model("claims", "ClaimHeir")
    db = schema_editor.connection.alias
    for claim in Claim.objects.using(db).filter(status="paid", payout_method=""):
        heir = (
            ClaimHeir.objects.using(db)
            .filter(claim_id=claim.pk)
            .order_by("-is_payee", "pk")
            .first()
        )
        if claim.claim_type in DEATH_OR_SCHOLARSHIP and heir is not None:
            claim.payout_payee_heir_id = heir.pk
            claim.payout_payee_name = heir.full_name
        else:
            claim.payout_payee_name = claim.person.full_name
        claim.payout_method = "tidak_tercatat"
        claim.save(update_fields=["payout_payee_heir", "payout_payee_name", "payout_method"])


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0002_seed_rules'),
    ]

    operations = [
        migrations.AddField(
            model_name='claim',
            name='payout_account',
            field=models.CharField(blank=True, max_length=30, verbose_name='rekening penerima'),
        ),
        migrations.AddField(
            model_name='claim',
            name='payout_bank',
            field=models.CharField(blank=True, max_length=60, verbose_name='bank penerima'),
        ),
        migrations.AddField(
            model_name='claim',
            name='payout_method',
            field=models.CharField(blank=True, choices=[('transfer', 'Transfer bank'), ('tunai', 'Tunai'), ('cek', 'Cek/bilyet giro'), ('pos', 'Wesel pos'), ('tidak_tercatat', 'Tidak tercatat (data lama)')], max_length=16, verbose_name='cara bayar'),
        ),
        migrations.AddField(
            model_name='claim',
            name='payout_payee_heir',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='claims.claimheir', verbose_name='ahli waris penerima'),
        ),
        migrations.AddField(
            model_name='claim',
            name='payout_payee_name',
            field=models.CharField(blank=True, max_length=150, verbose_name='penerima pembayaran'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'paid'), _negated=True), models.Q(models.Q(('payout_method', ''), _negated=True), models.Q(('payout_payee_name', ''), _negated=True)), _connector='OR'), name='claims_claim_payout_payee_method'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'paid'), _negated=True), models.Q(('payout_method', 'transfer'), _negated=True), models.Q(('payout_account', ''), _negated=True), _connector='OR'), name='claims_claim_payout_transfer_account'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'paid'), _negated=True), models.Q(('claim_type__in', ['beasiswa', 'jkk_death', 'jkm']), _negated=True), ('payout_payee_heir__isnull', False), ('payout_method', 'tidak_tercatat'), _connector='OR'), name='claims_claim_payout_heir_for_death'),
        ),
    ]
