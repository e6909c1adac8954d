"""ASGI entry point: HTTP through Django, websockets through Channels."""

import gc
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)  # what django.core.asgi.get_asgi_application does first

from config.bounded_body import BoundedBodyASGIHandler  # noqa: E402

django_asgi_app = BoundedBodyASGIHandler()

from django.conf import settings  # noqa: E402

# Each request's sync code runs on a thread of its own. With the default 5 ms GIL switch
# interval a thread back from a database or Redis round trip waits behind a busy one (the
# convoy effect): at two requests in flight per process the cheapest API call took twice as
# long (bench/feed.py). A shorter interval hands the GIL back sooner.
sys.setswitchinterval(settings.GIL_SWITCH_INTERVAL_S)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import get_resolver, path  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from events.consumers import EventsConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": URLRouter([
            path("ws/events", EventsConsumer.as_asgi()),
            # A product app's consumer, wired by its dotted path (config imports no product app).
            path("ws/storyboards/<uuid:storyboard_id>",
                 import_string("generation.storyboards.consumers.StoryboardConsumer").as_asgi()),
        ]),
    }
)

# What startup built (apps, models, the URLconf and every view it imports) lives as long as the
# process: frozen, the collector never scans it again. Unfrozen, each full collection walked
# those 130k objects, 30 to 70 ms here, a pause that lands in the latency of every request in
# flight (bench/feed.py's p99).
get_resolver().url_patterns  # noqa: B018 (imports every view now, so it is frozen too)
gc.freeze()
