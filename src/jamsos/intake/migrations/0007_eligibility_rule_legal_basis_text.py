"""The age rule's legal basis names what people can look up, not a research note.

Rows seeded by 0002 said "facts.md §1.5, unconfirmed", which intake messages showed to
operators. No regulation article for the BPU age limit has been confirmed, so the text
says that plainly; ``confirmed`` stays False until an admin records the article.
"""

from django.db import migrations

OLD = "facts.md §1.5, unconfirmed"
NEW = "Ketentuan program: batas usia peserta BPU (pasal peraturan belum dikonfirmasi)"


def forwards(apps, schema_editor):
    EligibilityRule = apps.get_model("intake", "EligibilityRule")
    EligibilityRule.objects.using(schema_editor.connection.alias).filter(legal_basis=OLD).update(
        legal_basis=NEW
    )


def backwards(apps, schema_editor):
    EligibilityRule = apps.get_model("intake", "EligibilityRule")
    EligibilityRule.objects.using(schema_editor.connection.alias).filter(legal_basis=NEW).update(
        legal_basis=OLD
    )


class Migration(migrations.Migration):
    dependencies = [("intake", "0006_generated_exports")]

    operations = [migrations.RunPython(forwards, backwards)]
