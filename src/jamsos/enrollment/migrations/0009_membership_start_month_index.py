"""The membership list reads its pages one start month at a time (issue 15): the next
month in scope is a backward scan of this index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0008_membership_recruiting_agent")]

    operations = [
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(fields=["first_month"], name="enrollment_member_start_idx"),
        ),
    ]
