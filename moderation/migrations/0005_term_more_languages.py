"""Term files for 25 more languages (sw, am, el, cs, sk, ro, hu, fi, da, nb, ur, ta, te, mr, ne,
sr, hr, bg, lt, ca, az, kk, uz, ka, hy): the shipped files are synced again so an existing
database gains them, as 0004 did for its concept terms. Vietnamese "lồn" left the files: without
its tone mark it reads "lớn" (big), so its shipped row is deactivated, as `--prune` would."""

from django.db import migrations

from moderation.term_files import term_files_sync

_DROPPED = ("sexual.vi-lồn",)


def sync(apps, schema_editor):
    term = apps.get_model("moderation", "Term")
    revision = apps.get_model("moderation", "PolicyRevision")
    term_files_sync(term_model=term, revision_model=revision)
    term.objects.filter(rule_id__in=_DROPPED, created_by__isnull=True).update(active=False)


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0004_term_concept_signals"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
