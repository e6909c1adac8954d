"""Names vulture (config in pyproject.toml) cannot see used, each group with the reason.

Vulture matches names, not places: a name listed here is taken as used everywhere, so list
only names a framework or library reads by name. Never run; `_` stands for any object.
Anything else vulture reports is dead code: delete it rather than adding it here.
"""

# --- Django settings: read by Django and its libraries through django.conf.settings ------
_.ALLOWED_HOSTS
_.ASGI_APPLICATION
_.AUTHENTICATION_BACKENDS
_.AUTH_PASSWORD_VALIDATORS
_.CACHES
_.CSRF_COOKIE_SECURE
_.CSRF_TRUSTED_ORIGINS
_.DATA_UPLOAD_MAX_MEMORY_SIZE
_.DEFAULT_AUTO_FIELD
_.DEFAULT_FROM_EMAIL
_.EMAIL_BACKEND
_.FILE_UPLOAD_MAX_MEMORY_SIZE
_.INSTALLED_APPS
_.LANGUAGE_CODE
_.LOGGING
_.LOGGING_CONFIG
_.MEDIA_URL
_.MIDDLEWARE
_.PASSWORD_HASHERS
_.ROOT_URLCONF
_.SECURE_HSTS_INCLUDE_SUBDOMAINS
_.SECURE_HSTS_PRELOAD
_.SECURE_HSTS_SECONDS
_.SECURE_PROXY_SSL_HEADER
_.SECURE_SSL_REDIRECT
_.SESSION_COOKIE_SECURE
_.SILENCED_SYSTEM_CHECKS
_.STATIC_ROOT
_.STATIC_URL
_.STORAGES
_.TEMPLATES
_.TIME_ZONE
_.USE_I18N
_.USE_TZ
_.WSGI_APPLICATION
# django-axes
_.AXES_COOLOFF_TIME
_.AXES_ENABLED
_.AXES_FAILURE_LIMIT
_.AXES_LOCKOUT_CALLABLE
_.AXES_LOCKOUT_PARAMETERS
_.AXES_RESET_ON_SUCCESS
_.AXES_USERNAME_CALLABLE
_.AXES_USERNAME_FORM_FIELD
_.AXES_VERBOSE
# Celery (config_from_object with namespace="CELERY")
_.CELERY_ACCEPT_CONTENT
_.CELERY_BROKER_CONNECTION_TIMEOUT
_.CELERY_BROKER_TRANSPORT_OPTIONS
_.CELERY_BROKER_URL
_.CELERY_RESULT_BACKEND
_.CELERY_TASK_ACKS_LATE
_.CELERY_TASK_ALWAYS_EAGER
_.CELERY_TASK_DEFAULT_QUEUE
_.CELERY_TASK_EAGER_PROPAGATES
_.CELERY_TASK_REJECT_ON_WORKER_LOST
_.CELERY_TASK_ROUTES
_.CELERY_TASK_SERIALIZER
_.CELERY_WORKER_HIJACK_ROOT_LOGGER
_.CELERY_WORKER_PREFETCH_MULTIPLIER
_.CELERY_WORKER_PROC_ALIVE_TIMEOUT
# djangorestframework-simplejwt, drf-spectacular, whitenoise
_.SIMPLE_JWT
_.SPECTACULAR_SETTINGS
_.WHITENOISE_AUTOREFRESH
_.WHITENOISE_USE_FINDERS

# --- Named by dotted path in settings or URLconfs (INSTALLED_APPS, MIDDLEWARE, LOGGING,
# AUTHENTICATION_BACKENDS, REST_FRAMEWORK, CACHES, AXES_*, SPECTACULAR hooks, handler*) ----
_.AccountsConfig
_.StoryboardConsumer  # config/asgi.py routes /ws/storyboards/<id> to it by dotted path
_.ApiKeysConfig
_.BillingConfig
_.CameoConfig
_.CoreConfig
_.EventsConfig
_.FeedConfig
_.GenerationConfig
_.ModerationConfig
_.OpenAIApiConfig
_.BoundedJSONParser
_.EmailOrHandleBackend
_.RequestIdFilter
_.RequestIdMiddleware
_.SessionJWTAuthentication
_.SharedRedisCache
_.axes_lockout_response
_.error_responses_add
_.json_bad_request
_.json_server_error
_.login_lockout_key
_.application  # asgi.py / wsgi.py: the server imports it by name
_.handler400
_.handler404
_.handler500
_.app_name  # URL namespace of the console
# drf-spectacular finds its auth extensions by subclassing; target_class names the class
_.ApiKeyScheme
_.SessionJWTScheme
_.target_class
_.get_security_definition

# uvicorn's --ws takes this protocol class by dotted path (scripts/run.sh, tests' stack)
_.PrebuiltFrameProtocol

# --- Django hooks found by name ----------------------------------------------------------
_.Command  # management commands: Django imports <app>.management.commands.<name>.Command
_.help
_.add_arguments
_.default_auto_field  # AppConfig
_.ready
_.verbose_name
_.verbose_name_plural  # model Meta
_.abstract  # model Meta: an abstract base (feed.models.ViewerMark)
_.ordering
_.USERNAME_FIELD  # custom user model
_.EMAIL_FIELD
_.REQUIRED_FIELDS
_.create_superuser  # the user manager, called by `createsuperuser`
_.list_display  # ModelAdmin options and permission hooks
_.list_filter
_.search_fields
_.has_add_permission
_.has_change_permission
_.has_delete_permission
_.clean_file  # Form.clean_<field>
_.regex  # path converters
_.to_python
_.to_url
_.get_client  # Django's RedisCacheClient hook, overridden to share one client per pool
_._class  # RedisCache's client class attribute
_.app_configs  # system check signature: check(app_configs, **kwargs)

# --- DRF hooks found by name -------------------------------------------------------------
_.authentication_classes
_.permission_classes
_.throttle_classes
_.parser_classes
_.renderer_classes
_.pagination_class
_.get_page_size
_.get_fields  # Serializer.get_fields: a serializer whose fields come from a table (feed CountsOut)
_.default_limit
_.has_permission
_.authenticate_header
_.get_user  # JWTAuthentication.get_user override
_.get_exception_handler
_.validate
_.default_error_messages
_.media_type  # parser class attribute
_.accepted_renderer  # set on a Response before rendering it by hand
_.accepted_media_type
_.patch  # HTTP method handlers of APIViews
_.put
_.auto_schema  # OpenApiAuthenticationExtension.get_security_definition(auto_schema)
_.generator  # spectacular postprocessing hook signature; also a C2PA report field
_.original_response  # axes lockout callable signature
# SerializerMethodField getters: DRF calls get_<field>
_.get_actor
_.get_author
_.get_authors
_.get_avatar_url
_.get_collaborators
_.get_content
_.get_counts
_.get_email_verified
_.get_enrollment
_.get_error
_.get_extends
_.get_liked
_.get_parent_creator
_.get_reasons
_.get_remix
_.get_story
_.get_video
# Declared serializer fields: DRF reads the class attributes to build the representation
_.authors
_.avatar_url
_.branches  # StoryRefOut
_.broken_at
_.completed_at
_.decisions
_.duplicate
_.email_verified
_.first_id
_.followers_count
_.following_count
_.follows_you
_.free_daily
_.is_following
_.is_mutual
_.keep_old_secret_active_for_24_hours
_.ledger
_.likes
_.parent_creator
_.received
_.related
_.remixed_from_video_id
_.root_creator
_.shares
_.valid
# the C2PA Soft Binding Resolution API's query fields, in the specification's spelling
_.maxResults
_.hintAlg
_.hintValue
_.returnActiveManifest

# asyncio calls a Protocol's hooks by name (the bench's lean websocket clients)
_.connection_made
_.data_received
_.connection_lost

# --- Channels consumer hooks -------------------------------------------------------------
_.channel_layer_alias
_.disconnect
_.event_deliver  # handler of group messages of type "event.deliver"
_.bytes_data  # receive(text_data, bytes_data) signature

# --- Model columns only the ORM, admin, serializers or migrations name (by string) -------
_.binding_alg  # manifest repository: filtered by keyword in generation/soft_binding.py
_.binding_value
_.store_bytes
_.checkout_session
_.close_reason
_.created_by
_.debt_after
_.debt_delta
_.decided_by
_.delivered_at
_.duration_ms
_.free_after
_.free_delta
_.held_delta
_.hot_score
_.last_error
_.last_refreshed_at
_.output_codes
_.paid_after
_.paid_delta
_.processed_at
_.read_at
_.received_at
_.removed_at
_.root_video
_.secret_sha256
_.subject
_.verified_at
# Enum members named by value only in the policy tables (moderation/policy/*.tsv)
_.WEAPONS
_.DRUGS
_.INPUT_SEXUAL
_.INPUT_MINORS
_.INPUT_VIOLENCE
_.INPUT_HATE
_.INPUT_HARASSMENT
_.INPUT_SELF_HARM
_.INPUT_EXTREMISM
_.INPUT_IMPERSONATION
_.INPUT_MINOR_CONTEXT
# TextChoices members: stored values clients send; code compares the strings
_.ESTATE_REQUEST
_.FULL_HD
_.HD
_.LANDSCAPE
_.LESS
_.PORTRAIT
_.SD
_.SQUARE
_.VIEWER  # a storyboard collaborator's role

# --- Fields of result dataclasses, turned into JSON with asdict() or read by assertions ---
_.audio_codec
_.audio_sample_rate
_.video_codec
_.consent
_.ingredients
_.soft_binding
_.validation_errors
_.validation_state
_.sync_score  # detection strength, kept with each watermark detection for diagnosis

# --- Attributes third-party objects read after we set them -------------------------------
_.pts  # PyAV frames
_.bit_rate  # PyAV stream
_.thread_type  # PyAV codec context
_.padding_side  # Hugging Face tokenizer
_.confirmed  # django-otp's device column, saved with update_fields
_.redirect_request  # urllib's HTTPRedirectHandler hook
_._closer  # keeps a reference to a running close task so it is not garbage-collected

# --- Callback signatures fixed by the caller ---------------------------------------------
_.face_crops  # the VideoVerifier protocol's parameter
_.timestep  # diffusers' callback_on_step_end(pipe, step, timestep, tensors)
_.tensors
_.__getattr__  # bench/feed.py: module __getattr__ that builds its urlpatterns on first use

# --- Test hooks: production code tests call to observe or reset process-wide state -------
_.messages_received  # the live hub's counter, which delivery tests compare
_.shared_pools_clear  # empties the feed's process-wide candidate pools between tests
_.classifier_names  # the classifier registry, which tests check registration against
_.unregister_likeness_check  # tests remove the likeness checks they register

# --- Library attributes set, not read here ------------------------------------------------
_.use_framewise_decoding  # diffusers' LTX-2 VAE reads it: decode a few latent frames at a time
