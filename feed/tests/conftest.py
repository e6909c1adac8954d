"""Feed fixtures (see feed_factories for the helpers)."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from feed_factories import post_make, video_make

from feed.models import Post
from generation.models import Video


@pytest.fixture
def make_video() -> Callable[..., Video]:
    return video_make


@pytest.fixture
def make_post() -> Callable[..., Post]:
    return post_make


@pytest.fixture
def teen_factory(user_factory: Any) -> Callable[..., Any]:
    def _teen(**kwargs: Any) -> Any:
        today = date.today()
        return user_factory(birthdate=date(today.year - 15, 1, 1), **kwargs)
    return _teen
