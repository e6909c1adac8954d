"""Provenance for generated videos: visible mark, invisible video and audio watermarks, C2PA
sign and verify.

Pure Python; importable without Django. Order in the pipeline: `visible.apply` ->
`audio_mark.embed` -> `invisible.embed` -> `media.encode_mp4` (read back) -> thumbnail ->
`c2pa_sign.sign_mp4` (last). `manifest_store` reads and checks a detached manifest store (what
the manifest repository keeps and the soft-binding resolver serves).
"""
