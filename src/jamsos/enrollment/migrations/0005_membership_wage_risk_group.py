"""PU memberships carry their wage and JKK risk group (billing: wage × rates).

Added by the claims helper (issue 9, "PU billed"); minimal change to enrollment."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('budget', '0002_seed_regulation'),
        ('enrollment', '0004_membership_cancelled_status'),
    ]

    operations = [
        migrations.AddField(
            model_name='membership',
            name='risk_group',
            field=models.CharField(blank=True, choices=[('sangat_rendah', 'Sangat rendah'), ('rendah', 'Rendah'), ('sedang', 'Sedang'), ('tinggi', 'Tinggi'), ('sangat_tinggi', 'Sangat tinggi')], db_default='', default='', max_length=15, verbose_name='kelompok risiko'),
        ),
        migrations.AddField(
            model_name='membership',
            name='wage',
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name='upah sebulan (Rp)'),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.CheckConstraint(condition=models.Q(('segment', 'pu'), models.Q(('wage__isnull', True), ('risk_group', '')), _connector='OR'), name='enrollment_member_wage_only_pu'),
        ),
    ]
