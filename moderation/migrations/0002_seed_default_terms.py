"""Seed the editable term list from the shipped default_terms.json."""

import uuid

from django.db import migrations

from moderation.policy import load_terms


def seed(apps, schema_editor):
    Term = apps.get_model("moderation", "Term")
    PolicyRevision = apps.get_model("moderation", "PolicyRevision")
    existing = set(Term.objects.values_list("rule_id", flat=True))
    Term.objects.bulk_create(
        Term(rule_id=term.id, text=term.text, category=str(term.category),
             action=str(term.action) if term.action else "")
        for term in load_terms() if term.id not in existing)
    PolicyRevision.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
