from typing import Any

from django.db import migrations, models


def copy_video_state(apps: Any, schema_editor: Any) -> None:
    """Existing posts of videos that feeds may not show get in_feeds = false."""
    Post = apps.get_model("feed", "Post")
    hidden = (models.Q(video__deleted_at__isnull=False) | models.Q(video__held_for_review=True)
              | models.Q(video__restricted=True) | ~models.Q(video__status="completed"))
    Post.objects.filter(pk__in=Post.objects.filter(hidden).values("pk")).update(in_feeds=False)


class Migration(migrations.Migration):

    dependencies = [
        ("feed", "0002_foryou_snapshot_in_cache"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="in_feeds",
            field=models.BooleanField(default=True),
        ),
        migrations.RunPython(copy_video_state, migrations.RunPython.noop, elidable=True),
    ]
