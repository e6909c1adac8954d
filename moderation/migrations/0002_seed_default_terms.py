"""Seed the editable term list from the shipped term files (moderation/policy/terms/)."""

import uuid

from django.db import migrations

from moderation.policy import load_terms


def seed(apps, schema_editor):
    Term = apps.get_model("moderation", "Term")
    PolicyRevision = apps.get_model("moderation", "PolicyRevision")
    existing = set(Term.objects.values_list("rule_id", flat=True))
    # Called with today's models too (tests re-seed flushed tables): fill the language
    # fields 0003 added when the model has them.
    has_lang = any(field.name == "lang" for field in Term._meta.get_fields())
    Term.objects.bulk_create(
        (Term(rule_id=term.id, text=term.text, category=str(term.category),
              action=str(term.action) if term.action else "",
              **({"lang": term.lang, "match": term.match} if has_lang else {}))
         for term in load_terms() if term.id not in existing), batch_size=1000)
    PolicyRevision.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
