"""Media helpers for generated videos: MP4 encoding, probing, thumbnails, spritesheets,
storyboards."""

from generation.media.encode import encode_frames, encode_mp4
from generation.media.probe import MediaInfo, probe
from generation.media.spritesheet import make_spritesheet
from generation.media.storyboard import concat_results, last_frame
from generation.media.thumbnail import make_thumbnail

__all__ = [
    "MediaInfo",
    "concat_results",
    "encode_frames",
    "encode_mp4",
    "last_frame",
    "make_spritesheet",
    "make_thumbnail",
    "probe",
]
