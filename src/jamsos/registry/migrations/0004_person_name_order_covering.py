"""The person list's order index covers the village too (issue 15).

A far numbered page (``?page=2000``) skips 50,000 persons in the list's order and keeps
those in the viewer's scope: with the village in the index (PostgreSQL ``INCLUDE``;
SQLite builds the plain index) the skipped rows are read from the index alone. The new
index is built before the old one is dropped.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0002_load_kemendagri_2025"),
        ("registry", "0003_person_list_and_name_search_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["full_name", "id"], include=("village",), name="person_name_order_cover"
            ),
        ),
        migrations.RemoveIndex(model_name="person", name="person_name_order_idx"),
    ]
