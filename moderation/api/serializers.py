from rest_framework import serializers

from core.fields import IdField, StrictCharField
from moderation.models import (
    Appeal,
    AppealStatus,
    Case,
    CaseEvent,
    Decision,
    DecisionAction,
    Priority,
    ReasonCode,
    Report,
    Term,
)
from moderation.policy.terms import MATCH_MODES, TERM_LANGUAGES


class ReportIn(serializers.Serializer[None]):
    target_type = StrictCharField(max_length=32)
    target_id = StrictCharField(max_length=64)
    reason = serializers.ChoiceField(choices=[c for c in ReasonCode.choices
                                              if c[0] != ReasonCode.NO_VIOLATION])
    note = StrictCharField(max_length=1000, required=False, default="", allow_blank=True)


class ReportOut(serializers.ModelSerializer[Report]):
    class Meta:
        model = Report
        fields = ["id", "case_id", "reason", "note", "created_at"]


class AppealIn(serializers.Serializer[None]):
    decision_id = IdField()
    statement = StrictCharField(max_length=4000)


class AppealOut(serializers.ModelSerializer[Appeal]):
    class Meta:
        model = Appeal
        fields = ["id", "decision_id", "statement", "status", "decision_reason", "created_at",
                  "decided_at"]


class UserRefOut(serializers.Serializer[None]):
    id = serializers.IntegerField()
    handle = serializers.CharField()


class CaseOut(serializers.ModelSerializer[Case]):
    owner = UserRefOut(allow_null=True)
    assignee = UserRefOut(allow_null=True)

    class Meta:
        model = Case
        fields = ["id", "target_type", "target_id", "owner", "category", "priority", "status",
                  "source", "assignee", "codes", "summary", "report_count", "opened_at",
                  "decided_at"]


class CaseReportOut(serializers.ModelSerializer[Report]):
    reporter = UserRefOut()

    class Meta:
        model = Report
        fields = ["id", "reporter", "reason", "note", "created_at"]


class CaseEventOut(serializers.ModelSerializer[CaseEvent]):
    actor = UserRefOut(allow_null=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "actor", "kind", "from_status", "to_status", "reason", "data",
                  "created_at"]


class DecisionOut(serializers.ModelSerializer[Decision]):
    moderator = UserRefOut()

    class Meta:
        model = Decision
        fields = ["id", "case_id", "moderator", "subject_id", "action", "reason_code", "note",
                  "suspended_until", "created_at", "reversed_at"]


class CaseDetailOut(CaseOut):
    reports = CaseReportOut(many=True)
    events = CaseEventOut(many=True)
    decisions = DecisionOut(many=True)

    class Meta(CaseOut.Meta):
        fields = [*CaseOut.Meta.fields, "reports", "events", "decisions"]


class CasePageOut(CaseDetailOut):
    """The detail plus what the views add: the target's description and related cases."""

    target = serializers.DictField()
    related = CaseOut(many=True)

    class Meta(CaseDetailOut.Meta):
        fields = [*CaseDetailOut.Meta.fields, "target", "related"]


class CaseFilterIn(serializers.Serializer[None]):
    status = StrictCharField(required=False, help_text="Comma-separated statuses.")
    category = serializers.ChoiceField(choices=ReasonCode.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    older_than_hours = serializers.FloatField(min_value=0, max_value=24 * 3650, required=False)
    assignee_id = IdField(required=False)


class AssignIn(serializers.Serializer[None]):
    assignee_id = IdField(required=False, allow_null=True,
                          help_text="Omit to take the case; null to release.")


class DecideIn(serializers.Serializer[None]):
    action = serializers.ChoiceField(choices=DecisionAction.choices)
    reason_code = serializers.ChoiceField(choices=ReasonCode.choices)
    note = StrictCharField(max_length=4000, required=False, default="", allow_blank=True)
    suspend_days = serializers.IntegerField(required=False, allow_null=True, default=None)


class AppealDetailOut(AppealOut):
    decision = DecisionOut()
    appellant = UserRefOut()
    case_id = serializers.IntegerField(source="decision.case_id")

    class Meta(AppealOut.Meta):
        fields = [*AppealOut.Meta.fields, "decision", "appellant", "case_id"]


class AppealDecideIn(serializers.Serializer[None]):
    outcome = serializers.ChoiceField(choices=[AppealStatus.UPHELD, AppealStatus.OVERTURNED])
    reason = StrictCharField(max_length=4000)


class TermOut(serializers.ModelSerializer[Term]):
    class Meta:
        model = Term
        fields = ["id", "rule_id", "text", "category", "action", "lang", "match", "active",
                  "created_by_id", "created_at", "updated_at"]


class TermIn(serializers.Serializer[None]):
    text = StrictCharField(max_length=200)
    category = serializers.ChoiceField(choices=Term._meta.get_field("category").choices or [])
    action = serializers.ChoiceField(choices=Term.ActionOverride.choices, required=False,
                                     default="", allow_blank=True)
    rule_id = StrictCharField(max_length=120, required=False, default="",
                                    allow_blank=True)
    active = serializers.BooleanField(required=False, default=True)
    # The language picks inflection rules ("nude" also matches "nudes"); "" matches as written.
    lang = serializers.ChoiceField(choices=["", *TERM_LANGUAGES], required=False, default="",
                                   allow_blank=True)
    match = serializers.ChoiceField(choices=sorted(MATCH_MODES), required=False, default="",
                                    allow_blank=True)


class TermPatchIn(serializers.Serializer[None]):
    text = StrictCharField(max_length=200, required=False)
    category = serializers.ChoiceField(choices=Term._meta.get_field("category").choices or [],
                                       required=False)
    action = serializers.ChoiceField(choices=Term.ActionOverride.choices, required=False,
                                     allow_blank=True)
    active = serializers.BooleanField(required=False)


class TestTextIn(serializers.Serializer[None]):
    text = StrictCharField(max_length=4000, trim_whitespace=False)
    teen = serializers.BooleanField(required=False, default=False)


class RuleOut(serializers.Serializer[None]):
    rule_id = serializers.CharField()
    term = serializers.CharField()
    category = serializers.CharField()
    reason = serializers.CharField()
    action = serializers.CharField()
    via = serializers.CharField()
    span = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    matched = serializers.CharField()


class TestTextOut(serializers.Serializer[None]):
    action = serializers.CharField()
    codes = serializers.ListField(child=serializers.CharField())
    message = serializers.CharField()
    word_view = serializers.CharField()
    compact_view = serializers.CharField()
    rules = RuleOut(many=True)

