"""Moderation records: editable filter terms, cases with their audit trail, reports,
decisions and appeals. Targets are generic (type + id strings) so any app can plug in."""

import uuid

from django.conf import settings
from django.db import models

from core.models import Created, Timestamped, Updated, unique
from moderation.policy import Action, Category
from moderation.policy.terms import MATCH_MODES


class Term(Timestamped):
    """One filter phrase; moderators edit these in the console without a deploy."""

    class ActionOverride(models.TextChoices):
        DEFAULT = "", "Category default"
        ALLOW = Action.ALLOW.value, "Allow"
        REVIEW = Action.REVIEW.value, "Review"
        BLOCK = Action.BLOCK.value, "Block"

    # The id shown in explanations ("sexual.nude"); stable across text edits.
    rule_id = models.CharField(max_length=120, unique=True)
    text = models.CharField(max_length=200)
    category = models.CharField(max_length=32,
                                choices=[(c.value, c.value) for c in Category
                                         if c is not Category.OWNER_RULE])
    action = models.CharField(max_length=10, choices=ActionOverride.choices, blank=True,
                              default=ActionOverride.DEFAULT)
    # Language of the term ("ja", "zh-Hans"...): picks its inflection rules; "" matches the
    # text as written.
    lang = models.CharField(max_length=16, blank=True, default="")
    # "", "exact", "word" or "infix": see moderation/policy/terms.py.
    match = models.CharField(max_length=8, blank=True, default="",
                             choices=[(m, m or "Script default") for m in sorted(MATCH_MODES)])
    active = models.BooleanField(default=True)
    # Null for the shipped terms (moderation/policy/terms/), set for console-added ones.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["category", "text"]

    def __str__(self) -> str:
        return self.rule_id


class PolicyRevision(Updated):
    """One row whose token changes with every term edit: engines are cached per token.

    A random token rather than a counter, so a rolled-back edit can never make a stale
    engine look current again."""

    token = models.UUIDField(default=uuid.uuid4)

    def __str__(self) -> str:
        return f"policy revision {self.token}"


class ReasonCode(models.TextChoices):
    """Why a report was filed or a decision made; shown to users, so deliberately coarse."""

    SEXUAL = "sexual", "Sexual content"
    MINORS = "minors", "Child safety"
    VIOLENCE = "violence", "Violence or gore"
    HATE = "hate"
    HARASSMENT = "harassment", "Harassment or bullying"
    SELF_HARM = "self_harm", "Self-harm"
    EXTREMISM = "extremism", "Violent extremism"
    IMPERSONATION = "impersonation", "Impersonation or likeness without consent"
    COPYRIGHT = "copyright"
    SPAM = "spam", "Spam or scam"
    OTHER = "other"
    # Decisions only: a dismissal needs a reason too.
    NO_VIOLATION = "no_violation", "No violation"


class Priority(models.IntegerChoices):
    LOW = 1, "Low"
    NORMAL = 2, "Normal"
    HIGH = 3, "High"
    URGENT = 4, "Urgent"


class CaseStatus(models.TextChoices):
    OPEN = "open"  # waiting for a moderator
    ASSIGNED = "assigned"  # a moderator has taken it
    ACTIONED = "actioned"  # a decision other than dismiss was enforced
    DISMISSED = "dismissed"  # reviewed, no violation
    APPEALED = "appealed"  # the affected person appealed the decision
    CLOSED = "closed"  # the appeal was decided; nothing more can happen


PENDING_STATUSES = (CaseStatus.OPEN, CaseStatus.ASSIGNED)

CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.ASSIGNED, CaseStatus.ACTIONED, CaseStatus.DISMISSED}),
    # ASSIGNED -> ASSIGNED is a hand-over to another moderator.
    CaseStatus.ASSIGNED: frozenset({CaseStatus.ASSIGNED, CaseStatus.OPEN, CaseStatus.ACTIONED,
                                    CaseStatus.DISMISSED}),
    CaseStatus.ACTIONED: frozenset({CaseStatus.APPEALED}),
    CaseStatus.DISMISSED: frozenset(),
    CaseStatus.APPEALED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}


class CaseSource(models.TextChoices):
    REPORT = "report", "User report"
    AUTOMATIC = "automatic", "Automatic filter"


class Case(models.Model):
    target_type = models.CharField(max_length=32)
    target_id = models.CharField(max_length=64)
    # The person whose content or account is judged; None when the target has no known owner.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="moderation_cases")
    category = models.CharField(max_length=32, choices=ReasonCode.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices,
                                                default=Priority.NORMAL)
    status = models.CharField(max_length=16, choices=CaseStatus.choices,
                              default=CaseStatus.OPEN)
    source = models.CharField(max_length=16, choices=CaseSource.choices)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    # Reason codes of automatic filter hits (e.g. "SAFETY.INPUT.HARASSMENT").
    codes = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    report_count = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Reports and hits on the same target merge into its one pending case.
            unique("target_type", "target_id", condition=models.Q(status__in=["open", "assigned"]),
                   name="moderation_one_pending_case_per_target"),
        ]
        indexes = [models.Index(fields=["status", "priority", "opened_at"]),
                   models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"case {self.pk} ({self.target_type}:{self.target_id})"


class CaseEvent(Created):
    """The audit trail: every change to a case, who made it and why."""

    class Kind(models.TextChoices):
        OPENED = "opened"
        REPORTED = "reported"
        AUTOMATIC_HIT = "automatic_hit"
        STATUS = "status"
        DECIDED = "decided"
        APPEALED = "appealed"
        APPEAL_DECIDED = "appeal_decided"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    # None: the system (automatic filters).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"case {self.case_id}: {self.kind}"


class Report(Created):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="+")
    reason = models.CharField(max_length=32, choices=ReasonCode.choices)
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        constraints = [unique("case", "reporter", name="moderation_one_report_per_case")]

    def __str__(self) -> str:
        return f"report {self.pk} on case {self.case_id}: {self.reason}"


class DecisionAction(models.TextChoices):
    REMOVE = "remove"
    RESTRICT = "restrict", "Restrict (hidden from feeds)"
    LABEL = "label"
    WARN = "warn"
    SUSPEND = "suspend"
    BAN = "ban"
    DISMISS = "dismiss"


# Enforced on the target through its app's registered enforcer.
CONTENT_ACTIONS = frozenset({DecisionAction.REMOVE, DecisionAction.RESTRICT,
                             DecisionAction.LABEL})
# Enforced on the owner's account by moderation itself.
ACCOUNT_ACTIONS = frozenset({DecisionAction.WARN, DecisionAction.SUSPEND, DecisionAction.BAN})


class Decision(Created):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    # The affected person (the case owner at decision time).
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="moderation_decisions")
    action = models.CharField(max_length=16, choices=DecisionAction.choices)
    reason_code = models.CharField(max_length=32, choices=ReasonCode.choices)
    note = models.TextField(blank=True)
    suspended_until = models.DateTimeField(null=True, blank=True)
    # Set when an appeal overturned the decision and its enforcement was undone.
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["subject", "action", "reversed_at"])]

    def __str__(self) -> str:
        return f"decision {self.pk} on case {self.case_id}: {self.action}"


class AppealStatus(models.TextChoices):
    PENDING = "pending"  # waiting for a moderator other than the decider
    UPHELD = "upheld"  # the decision stands
    OVERTURNED = "overturned"  # the decision was reversed


APPEAL_TRANSITIONS: dict[str, frozenset[str]] = {
    AppealStatus.PENDING: frozenset({AppealStatus.UPHELD, AppealStatus.OVERTURNED}),
    AppealStatus.UPHELD: frozenset(),
    AppealStatus.OVERTURNED: frozenset(),
}


class Appeal(Created):
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="appeal")
    appellant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+")
    statement = models.TextField()
    status = models.CharField(max_length=16, choices=AppealStatus.choices,
                              default=AppealStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"appeal {self.pk} of decision {self.decision_id}: {self.status}"
