"""BillLine: (membership, month) as the primary key, foreign keys without database
constraints (see the model's docstring for the measurement).

Django cannot migrate a table to a composite primary key, so the table is recreated;
its rows are derived data (the billing run writes them again), and no release has
shipped with the old layout.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0002_seed_lapse_rule"),
        ("enrollment", "0001_decrees_memberships"),
    ]

    operations = [
        migrations.DeleteModel(name="BillLine"),
        migrations.CreateModel(
            name="BillLine",
            fields=[
                ("pk", models.CompositePrimaryKey("membership", "month", blank=True, editable=False, primary_key=True, serialize=False)),
                ("month", models.DateField(help_text="Tanggal 1 bulan tersebut.", verbose_name="bulan")),
                ("amount", models.PositiveBigIntegerField(verbose_name="iuran (Rp)")),
                ("bill", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name="lines", to="contributions.bill")),
                ("membership", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name="bill_lines", to="enrollment.membership")),
            ],
            options={
                "verbose_name": "rincian tagihan",
                "verbose_name_plural": "rincian tagihan",
                "ordering": ["bill_id", "membership_id", "month"],
            },
        ),
    ]
