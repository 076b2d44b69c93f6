"""Drop the bill line's single-column membership index (issue 15): the primary key
(membership, month) serves look-ups by membership, and the billing run's probe for an
existing (membership, month) line must use that key."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("contributions", "0008_lapse_rule_legal_basis_text")]

    operations = [
        migrations.AlterField(
            model_name="billline",
            name="membership",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="bill_lines",
                to="enrollment.membership",
            ),
        ),
    ]
