"""Product knobs of the apps (billing, generation, moderation, cameo, feed), from the env."""

from .env import env_bool, env_int, env_str

# Billing: the free allowance resets daily at this UTC hour and never accumulates.
CREDITS_FREE_DAILY = env_int("CREDITS_FREE_DAILY", 100)
CREDITS_FREE_RESET_HOUR_UTC = env_int("CREDITS_FREE_RESET_HOUR_UTC", 0)
CREDITS_PAID_EXPIRY_DAYS = env_int("CREDITS_PAID_EXPIRY_DAYS", 0)  # 0: paid credits never expire
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
STRIPE_WEBHOOK_TOLERANCE_S = env_int("STRIPE_WEBHOOK_TOLERANCE_S", 300)
# Where Stripe Checkout sends the buyer back to (a web page that can open the app).
_PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
STRIPE_CHECKOUT_SUCCESS_URL = env_str(
    "STRIPE_CHECKOUT_SUCCESS_URL",
    f"{_PUBLIC_BASE_URL}/credits/success?session_id={{CHECKOUT_SESSION_ID}}")
STRIPE_CHECKOUT_CANCEL_URL = env_str("STRIPE_CHECKOUT_CANCEL_URL",
                                     f"{_PUBLIC_BASE_URL}/credits/cancel")
CREDIT_PACKS = [
    {"id": "starter", "credits": 500, "price_cents": 499, "currency": "usd"},
    {"id": "creator", "credits": 1200, "price_cents": 999, "currency": "usd"},
    {"id": "studio", "credits": 3000, "price_cents": 1999, "currency": "usd"},
]

# Generation
GENERATION_MODEL_PATH = env_str("GENERATION_MODEL_PATH")
GENERATION_DEVICE = env_str("GENERATION_DEVICE")
GENERATION_MAX_PROMPT_CHARS = env_int("GENERATION_MAX_PROMPT_CHARS", 2000)
GENERATION_MAX_CONCURRENT_JOBS = env_int("GENERATION_MAX_CONCURRENT_JOBS", 3)
GENERATION_TEEN_DAILY_JOBS = env_int("GENERATION_TEEN_DAILY_JOBS", 10)
GENERATION_STALE_AFTER_S = env_int("GENERATION_STALE_AFTER_S", 1800)
# A job past the soft limit fails cleanly (generation.timed_out, credits released); the hard
# limit kills its process, and the reaper settles the job.
GENERATION_SOFT_TIME_LIMIT_S = env_int("GENERATION_SOFT_TIME_LIMIT_S", 1800)
GENERATION_TIME_LIMIT_S = max(env_int("GENERATION_TIME_LIMIT_S", 1860),
                              GENERATION_SOFT_TIME_LIMIT_S + 10)
# A cancel of a running job whose heartbeat is older than this settles at once (its worker is
# gone or stuck): no wait for the reaper and no retry spent.
GENERATION_CANCEL_SETTLE_AFTER_S = env_int("GENERATION_CANCEL_SETTLE_AFTER_S", 30)
# A queued job nobody started this long after it was sent is sent again (the broker lost it).
GENERATION_REQUEUE_AFTER_S = env_int("GENERATION_REQUEUE_AFTER_S", 600)

# Moderation: the second-stage safety model the worker runs on prompts before generating.
# Unset path: the stage is skipped. See README "Second-stage safety model".
MODERATION_SAFETY_MODEL_PATH = env_str("MODERATION_SAFETY_MODEL_PATH")
MODERATION_SAFETY_MODEL_FORMAT = env_str("MODERATION_SAFETY_MODEL_FORMAT")  # empty: from config
MODERATION_SAFETY_MODEL_DEVICE = env_str("MODERATION_SAFETY_MODEL_DEVICE", "cpu")
MODERATION_SAFETY_MODEL_THRESHOLD = float(env_str("MODERATION_SAFETY_MODEL_THRESHOLD", "0.5"))
# A configured model that cannot load: fail jobs closed (credits released) or skip the stage.
MODERATION_SAFETY_MODEL_REQUIRED = env_bool("MODERATION_SAFETY_MODEL_REQUIRED", True)
MODERATION_SAFETY_MODEL_CASE_ON_BLOCK = env_bool("MODERATION_SAFETY_MODEL_CASE_ON_BLOCK", True)

# Provenance: production signing material; empty means a dev CA under DATA_DIR/keys.
C2PA_SIGN_CERT_CHAIN = env_str("C2PA_SIGN_CERT_CHAIN")
C2PA_SIGN_KEY = env_str("C2PA_SIGN_KEY")
C2PA_TRUST_ANCHORS = env_str("C2PA_TRUST_ANCHORS")

# Cameo
CAMEO_ENCRYPTION_KEY = env_str("CAMEO_ENCRYPTION_KEY")
CAMEO_MAX_PER_VIDEO = env_int("CAMEO_MAX_PER_VIDEO", 2)
CAMEO_APPROVAL_TTL_S = env_int("CAMEO_APPROVAL_TTL_S", 24 * 3600)
CAMEO_APPROVAL_SWEEP_S = env_int("CAMEO_APPROVAL_SWEEP_S", 60)  # how often expiry is swept
CAMEO_CHALLENGE_TTL_S = env_int("CAMEO_CHALLENGE_TTL_S", 300)
CAMEO_MAX_UPLOAD_BYTES = env_int("CAMEO_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
# Characters (/v1/videos/characters): the short video a character is made from.
CHARACTER_MAX_UPLOAD_BYTES = env_int("CHARACTER_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
CHARACTER_MAX_SECONDS = env_int("CHARACTER_MAX_SECONDS", 10)

# Feed
FEED_TEEN_DAILY_CAP = env_int("FEED_TEEN_DAILY_CAP", 200)  # feed items a teen sees per UTC day
FEED_PAGE_SIZE = env_int("FEED_PAGE_SIZE", 20)
FEED_MAX_PAGE_SIZE = env_int("FEED_MAX_PAGE_SIZE", 50)
FEED_MAX_PER_CREATOR_PER_PAGE = env_int("FEED_MAX_PER_CREATOR_PER_PAGE", 2)
FEED_CANDIDATES_PER_SOURCE = env_int("FEED_CANDIDATES_PER_SOURCE", 150)  # for-you sources
FEED_SNAPSHOT_TTL_S = env_int("FEED_SNAPSHOT_TTL_S", 3600)  # how long a for-you cursor lives
FEED_TASTE_TTL_S = env_int("FEED_TASTE_TTL_S", 60)  # cached for-you affinity (follows, likes)
FEED_POOL_TTL_S = env_int("FEED_POOL_TTL_S", 10)  # trending and fresh for-you pools, per process
FEED_MAX_HASHTAGS = env_int("FEED_MAX_HASHTAGS", 10)
# Stories (/api/v1/stories): a tree past these is cut (the answer says "truncated").
STORY_MAX_NODES = env_int("STORY_MAX_NODES", 2000)
STORY_MAX_DEPTH = env_int("STORY_MAX_DEPTH", 100)
# At least 2: LTX-2's scheduler (shift_terminal) divides by zero on a one-step schedule (NaN
# frames), which bench/generation_gpu.py found at the real model's settings.
GENERATION_INFERENCE_STEPS = max(2, env_int("GENERATION_INFERENCE_STEPS", 8))
GENERATION_RESOLUTIONS = env_str("GENERATION_RESOLUTIONS", "480p,720p,1080p").split(",")
# A backend registered by name (generation.backends.backend_register); unset: by model path.
GENERATION_BACKEND = env_str("GENERATION_BACKEND")
# Longer jobs are made in segments of at most this many seconds, each continuing the last
# from its final frame, so a worker holds one segment's frames, never the whole minute.
GENERATION_SEGMENT_SECONDS = max(4, env_int("GENERATION_SEGMENT_SECONDS", 20))
# Frames of the segment before that a continuing segment is conditioned on (0: the
# backend's own choice, LTX-2: one latent frame's worth + 1 = 9; 1: the last frame only).
GENERATION_OVERLAP_FRAMES = max(0, env_int("GENERATION_OVERLAP_FRAMES", 0))
GENERATION_MAX_ATTEMPTS = env_int("GENERATION_MAX_ATTEMPTS", 2)
GENERATION_WARM_ON_START = env_str("GENERATION_WARM_ON_START", "1") == "1"
# The denoising step (generation/backends/acceleration.py; README, "GPU step settings"): each
# one alone, all off by default; an option the machine cannot use is skipped with a log line.
GENERATION_COMPILE = env_str("GENERATION_COMPILE")  # default | max-autotune-no-cudagraphs |
# reduce-overhead (CUDA graphs, fixed shapes)
GENERATION_ATTENTION = env_str("GENERATION_ATTENTION")  # e.g. _native_cudnn, flash, sage
GENERATION_FP8 = env_str("GENERATION_FP8")  # storage | torchao
GENERATION_TEXT_ENCODER_DEVICE = env_str("GENERATION_TEXT_ENCODER_DEVICE")  # e.g. cpu
GENERATION_OFFLOAD = env_str("GENERATION_OFFLOAD")  # model | group (small cards)
GENERATION_VAE_TILING = env_str("GENERATION_VAE_TILING") == "1"
# One short job of the default shape once the model is loaded (compilation, CUDA graphs):
# "start" inside the pool child's start (GENERATION_WARM_TIMEOUT_S bounds it), "background"
# in a thread (the child is ready at once; its first job waits for the warm-up), "" none.
GENERATION_WARM_UP = env_str("GENERATION_WARM_UP", "start")
# Up to this many queued jobs of one shape run in one pipeline call (1: no batching).
GENERATION_BATCH_MAX = max(1, env_int("GENERATION_BATCH_MAX", 1))

# The OpenAI-compatible door (/v1): model names it answers to (each an alias of the model
# this deployment runs; the first is the default), and the pace it asks pollers to keep.
OPENAI_MODEL_ALIASES = env_str("OPENAI_MODEL_ALIASES", "sora-2,sora-2-pro,sora-2-2025-10-06,"
                               "sora-2-pro-2025-10-06,sora-2-2025-12-08").split(",")
OPENAI_POLL_AFTER_MS = env_int("OPENAI_POLL_AFTER_MS", 1000)
OPENAI_MAX_REFERENCE_BYTES = env_int("OPENAI_MAX_REFERENCE_BYTES", 20 * 1024 * 1024)
# Webhooks of the door: private/loopback URLs (and plain http) only where this is set.
OPENAI_WEBHOOK_ALLOW_PRIVATE_URLS = env_str("OPENAI_WEBHOOK_ALLOW_PRIVATE_URLS", "0") == "1"
OPENAI_WEBHOOK_TIMEOUT_S = env_int("OPENAI_WEBHOOK_TIMEOUT_S", 10)
OPENAI_WEBHOOK_SWEEP_S = env_int("OPENAI_WEBHOOK_SWEEP_S", 30)
