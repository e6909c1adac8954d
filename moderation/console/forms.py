from django import forms

from moderation.policy.terms import TERM_LANGUAGES

from ..evaluation.dataset import EvalFileError, EvalPrompt, parse_eval_file
from ..models import DecisionAction, Priority, ReasonCode, Term

AGE_CHOICES = [("", "Any age"), ("1", "Older than 1 h"), ("24", "Older than 24 h"),
               ("168", "Older than 7 days")]
REPORT_REASONS = [c for c in ReasonCode.choices if c[0] != ReasonCode.NO_VIOLATION]
CATEGORIES = Term._meta.get_field("category").choices or []


class LoginForm(forms.Form):
    email = forms.CharField(max_length=254)
    password = forms.CharField(max_length=128, strip=False, widget=forms.PasswordInput)


class TotpForm(forms.Form):
    code = forms.RegexField(regex=r"^\d{6}$", max_length=6,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                          "inputmode": "numeric"}))


class QueueFilterForm(forms.Form):
    category = forms.ChoiceField(choices=[("", "All categories"), *REPORT_REASONS],
                                 required=False)
    priority = forms.TypedChoiceField(choices=[("", "Any priority"), *Priority.choices],
                                      coerce=int, empty_value=None, required=False)
    age = forms.TypedChoiceField(choices=AGE_CHOICES, coerce=float, empty_value=None,
                                 required=False)
    mine = forms.BooleanField(required=False, label="Assigned to me")


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=DecisionAction.choices)
    reason_code = forms.ChoiceField(choices=[("", "Reason…"), *ReasonCode.choices])
    note = forms.CharField(max_length=4000, required=False, widget=forms.Textarea)
    suspend_days = forms.IntegerField(min_value=1, max_value=365, required=False)


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("upheld", "Uphold"), ("overturned", "Overturn")])
    reason = forms.CharField(max_length=4000)


class TermForm(forms.Form):
    text = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=CATEGORIES)
    action = forms.ChoiceField(choices=Term.ActionOverride.choices, required=False)
    lang = forms.ChoiceField(choices=[("", "Any language"), *((c, c) for c in TERM_LANGUAGES)],
                             required=False)


class TermEditForm(forms.Form):
    action = forms.ChoiceField(choices=Term.ActionOverride.choices, required=False)
    active = forms.BooleanField(required=False)


class TestTextForm(forms.Form):
    text = forms.CharField(max_length=4000, strip=False, widget=forms.Textarea(attrs={"rows": 3}))
    teen = forms.BooleanField(required=False, label="As a teen account")


# Bounds for the console's evaluation upload: a checked file is scored inside the request.
EVAL_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
EVAL_UPLOAD_MAX_PROMPTS = 5000


class EvalFileForm(forms.Form):
    """A labelled prompt file (TSV or CSV); cleaned_data["file"] is its prompts."""

    file = forms.FileField(label="Evaluation file (TSV or CSV)")

    def clean_file(self) -> tuple[EvalPrompt, ...]:
        upload = self.cleaned_data["file"]
        if upload.size > EVAL_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {EVAL_UPLOAD_MAX_BYTES // (1024 * 1024)} MB.")
        try:
            return parse_eval_file(upload.read(), max_prompts=EVAL_UPLOAD_MAX_PROMPTS)
        except EvalFileError as exc:
            raise forms.ValidationError(exc.problems[:20]) from None
