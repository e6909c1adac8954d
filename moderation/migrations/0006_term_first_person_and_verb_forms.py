"""First-person self-harm phrasing, violent verb forms the stemmers do not reach, and support
wording ("how to help a friend who talks about suicide") as exceptions over the how-to cue: the
shipped files are synced again so an existing database gains them, as 0005 did. A few shipped
rows changed too; they are rewritten only where they still hold the old shipped value, so a
moderator's console edit stands:
- stem collisions made exact: Spanish pollo (chicken) read as polla, cortar/cuchillo as
  cortarme/cuchilla, Arabic الانتحار (suicide) as انتحاري (suicide bomber), Catalan carnisser
  (butcher) as carnisseria (slaughter);
- romanised Arabic intihar/entehar review like every self_harm term (as a block it blocked
  Turkish and Azerbaijani "intihar", suicide, mentioned in any benign prompt), and Swedish
  stycka review (a butcher cuts up a pig with the same verb)."""

import uuid

from django.db import migrations

from moderation.term_files import term_files_sync

_EXACT = ("sexual.es-polla", "sexual.ca-polla", "self_harm.es-cortarme", "self_harm.es-cuchilla",
          "extremism.ar-انتحاري", "extremist_actor.ar-الانتحاري", "violence.ca-carnisseria")
_TO_REVIEW = ("self_harm.ar-intihar", "self_harm.ar-entehar", "violence.sv-stycka")


def sync(apps, schema_editor):
    term = apps.get_model("moderation", "Term")
    revision = apps.get_model("moderation", "PolicyRevision")
    term_files_sync(term_model=term, revision_model=revision)
    shipped = term.objects.filter(created_by__isnull=True)
    changed = shipped.filter(rule_id__in=_EXACT, match="").update(match="exact")
    changed += shipped.filter(rule_id__in=_TO_REVIEW, action="block").update(action="review")
    if changed:
        revision.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0005_term_more_languages"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
