"""Provenance for generated videos: visible mark, invisible watermark, C2PA sign and verify.

Pure Python; importable without Django. Order in the pipeline: `visible.apply` ->
`invisible.embed` -> `media.encode_mp4` -> thumbnail -> `c2pa_sign.sign_mp4` (last).
"""
