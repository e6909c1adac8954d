"""Audio direction reaches the model: a shot's dialogue lines (speaker, language, text), its
camera, ambient and music, and the dialogue / ambient / music switches go into the backend
spec and into the prompt the real (tiny) LTX-2 pipeline encodes, in the form LTX-2's prompting
guide documents (one paragraph; spoken lines in double quotes after their speaker and
language; a silenced layer said in the prompt and named in the negative prompt)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from generation import specs
from generation.backends import get_backend
from generation.backends.base import DialogueLine, GenerationSpec
from generation.backends.ltx2 import LTX2Backend

SHOT = {"prompt": "a lighthouse keeper climbs the stairs at night", "seconds": 1,
        "camera": "slow dolly in", "ambient": "waves against rocks", "music": "",
        "dialogue": [{"speaker": "The keeper", "language": "French",
                      "text": "La mer est calme ce soir"},
                     {"speaker": "A gull", "language": "", "text": 'She said "go"'}],
        "dialogue_on": True, "ambient_on": True, "music_on": False}


@pytest.fixture(scope="module")
def heard() -> Any:
    """The tiny LTX-2 backend, with what its pipeline is asked to encode recorded on the way
    through (the pipeline's own encode_prompt still runs)."""
    backend = get_backend(None, "cpu")
    assert isinstance(backend, LTX2Backend)
    pipeline = backend.pipeline
    original = pipeline.encode_prompt
    calls: list[tuple[str, str]] = []

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append((kwargs["prompt"], kwargs["negative_prompt"]))
        return original(*args, **kwargs)

    pipeline.encode_prompt = recording  # type: ignore[method-assign]
    yield backend, calls
    pipeline.encode_prompt = original  # type: ignore[method-assign]


def _spec(shot: dict[str, Any], **changes: Any) -> GenerationSpec:
    spec = specs.shot_specs(shots=[shot], style="", negative_prompt="blurry", width=64,
                            height=64, seed=3, with_audio=True, preferences=[])[0]
    return dataclasses.replace(spec, num_frames=12, fps=12.0, num_inference_steps=2, **changes)


def test_the_shot_spec_carries_every_line_and_switch() -> None:
    spec = _spec(SHOT)
    assert spec.camera == "slow dolly in" and spec.ambient == "waves against rocks"
    assert spec.dialogue == (DialogueLine("The keeper", "La mer est calme ce soir", "French"),
                             DialogueLine("A gull", 'She said "go"', ""))
    assert (spec.dialogue_on, spec.ambient_on, spec.music_on) == (True, True, False)


def test_the_pipeline_is_prompted_with_speech_in_quotes_and_silenced_music(heard: Any) -> None:
    backend, calls = heard
    result = backend.generate(_spec(SHOT))
    assert result.audio is not None
    prompt, negative = calls[-1]
    assert prompt.startswith("a lighthouse keeper climbs the stairs at night. "
                             "Camera: slow dolly in.")
    assert 'The keeper says in French: "La mer est calme ce soir"' in prompt
    assert "A gull says: \"She said 'go'\"" in prompt  # the line's own quotes can't end it
    assert "Ambient sound: waves against rocks." in prompt
    assert prompt.endswith("No music.")
    assert negative == "blurry, music, soundtrack, singing"


def test_switching_dialogue_and_ambient_off_says_so(heard: Any) -> None:
    backend, calls = heard
    backend.generate(_spec({**SHOT, "dialogue_on": False, "ambient_on": False,
                            "music_on": True, "music": "a lone cello"}))
    prompt, negative = calls[-1]
    assert "says" not in prompt and "No one speaks." in prompt
    assert "Ambient sound" not in prompt and "Music: a lone cello." in prompt
    assert negative == ("blurry, speech, talking, dialogue, voices, "
                        "ambient noise, background sound")


def test_a_silent_video_gets_no_audio_direction_and_a_plain_prompt_stays_as_written(
        heard: Any) -> None:
    backend, calls = heard
    backend.generate(_spec(SHOT, with_audio=False))
    prompt, negative = calls[-1]
    assert prompt == ("a lighthouse keeper climbs the stairs at night. "
                      "Camera: slow dolly in.")
    assert negative == "blurry"
    backend.generate(_spec({"prompt": "a corgi surfing, at sunset", "seconds": 1}))
    assert calls[-1] == ("a corgi surfing, at sunset", "blurry")
