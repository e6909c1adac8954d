"""Terms carry a language and a match mode; the shipped term files fill them in."""

from django.db import migrations, models

from moderation.term_files import term_files_sync


def sync(apps, schema_editor):
    term_files_sync(term_model=apps.get_model("moderation", "Term"),
                    revision_model=apps.get_model("moderation", "PolicyRevision"))


class Migration(migrations.Migration):

    dependencies = [
        ('moderation', '0002_seed_default_terms'),
    ]

    operations = [
        migrations.AddField(
            model_name='term',
            name='lang',
            field=models.CharField(blank=True, default='', max_length=16),
        ),
        migrations.AddField(
            model_name='term',
            name='match',
            field=models.CharField(blank=True, choices=[('', 'Script default'), ('exact', 'exact'), ('infix', 'infix'), ('word', 'word')], default='', max_length=8),
        ),
        migrations.AlterField(
            model_name='term',
            name='category',
            field=models.CharField(choices=[('sexual', 'sexual'), ('minors', 'minors'), ('violence', 'violence'), ('hate', 'hate'), ('harassment', 'harassment'), ('self_harm', 'self_harm'), ('extremism', 'extremism'), ('public_figure', 'public_figure'), ('copyrighted_character', 'copyrighted_character'), ('copyrighted_music', 'copyrighted_music'), ('artist_style', 'artist_style'), ('impersonation', 'impersonation'), ('minor_context', 'minor_context'), ('weapons', 'weapons'), ('drugs', 'drugs'), ('suggestive', 'suggestive'), ('target', 'target'), ('how_to', 'how_to'), ('news', 'news'), ('exception', 'exception')], max_length=32),
        ),
        migrations.RunPython(sync, migrations.RunPython.noop),
    ]
