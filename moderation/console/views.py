"""Console pages: thin views over the same services and selectors as the REST API."""

from collections.abc import Callable
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.facade import User, is_senior_moderator, request_user
from core.errors import DomainError

from .. import filters, selectors, services
from ..evaluation.live import evaluate_prompts
from ..models import PENDING_STATUSES, AppealStatus, DecisionAction, Priority, Term
from ..roles import is_moderator
from ..targets import target_describe
from . import forms
from .auth import (
    complete_login,
    confirmed_device,
    console_action,
    console_required,
    enrolment_device,
    pending_set,
    pending_user,
    safe_next,
)


def _attempt(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Run a service call; a refusal becomes a message on the page instead of an error."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, f"{exc.message} ({exc.code})")
        return False
    messages.success(request, success)
    return True


def _posted(request: HttpRequest, form_class: type[Form], problem: str,
            ) -> dict[str, Any] | None:
    """The posted form's cleaned data; None, with `problem` shown on the page, if invalid."""
    form = form_class(request.POST)
    if form.is_valid():
        return form.cleaned_data
    messages.error(request, problem)
    return None


# --- sign-in ----------------------------------------------------------------------------------

def login_view(request: HttpRequest) -> HttpResponse:
    form = forms.LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login = form.cleaned_data["email"]
        user = authenticate(request, login=login, username=login,
                            password=form.cleaned_data["password"])
        if isinstance(user, User) and is_moderator(user):
            pending_set(request, user)
            step = "console:verify" if confirmed_device(user) else "console:setup"
            return redirect(f"{reverse(step)}?next={safe_next(request, reverse('console:queue'))}")
        form.add_error(None, "Wrong email or password, or no console access.")
    return render(request, "moderation/console/login.html",
                  {"form": form, "next": request.GET.get("next", "")})


def verify_view(request: HttpRequest) -> HttpResponse:
    user = pending_user(request)
    device = confirmed_device(user) if user else None
    if user is None or device is None:
        return redirect("console:login")
    form = forms.TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            complete_login(request, user, device)
            return redirect(safe_next(request, reverse("console:queue")))
        form.add_error("code", "Wrong or expired code.")
    return render(request, "moderation/console/verify.html",
                  {"form": form, "next": request.GET.get("next", "")})


def setup_view(request: HttpRequest) -> HttpResponse:
    """First sign-in of a moderator without an authenticator: scan, then confirm a code."""
    user = pending_user(request)
    if user is None or confirmed_device(user) is not None:
        return redirect("console:login")
    device = enrolment_device(user)
    form = forms.TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            complete_login(request, user, device)
            return redirect(safe_next(request, reverse("console:queue")))
        form.add_error("code", "Wrong or expired code.")
    url = device.config_url
    return render(request, "moderation/console/setup.html", {
        "form": form, "otpauth_url": url, "qr_svg": segno.make(url).svg_inline(scale=4),
        "next": request.GET.get("next", "")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("console:login")


# --- queue and cases --------------------------------------------------------------------------

@console_required
def queue_view(request: HttpRequest) -> HttpResponse:
    form = forms.QueueFilterForm(request.GET or None)
    filters_: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters_ = {"category": data["category"] or None, "priority": data["priority"],
                    "older_than_hours": data["age"],
                    "assignee_id": request_user(request).pk if data["mine"] else None}
    cases = list(selectors.queue_list(**filters_)[:200])
    return render(request, "moderation/console/queue.html",
                  {"form": form, "cases": cases, "stats": selectors.dashboard_stats()})


@console_required
def case_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(case_id=case_id)
    me = request_user(request)
    return render(request, "moderation/console/case.html", {
        "case": case,
        "target": target_describe(case.target_type, case.target_id),
        "related": selectors.related_cases(case=case),
        "pending": case.status in PENDING_STATUSES,
        "own_content": case.owner_id == me.pk,
        "form": forms.DecisionForm(),
        "actions": [(a, label) for a, label in DecisionAction.choices
                    if a != DecisionAction.BAN or is_senior_moderator(me)],
        "priority_label": Priority(case.priority).label,
    })


@console_action
def case_assign_view(request: HttpRequest, case_id: int) -> HttpResponse:
    me = request_user(request)
    release = request.POST.get("release") == "1"
    _attempt(request, lambda: services.case_assign(
        case_id=case_id, moderator=me, assignee_id=None if release else me.pk),
        "Released." if release else "Assigned to you.")
    return redirect("console:case", case_id=case_id)


@console_action
def case_decide_view(request: HttpRequest, case_id: int) -> HttpResponse:
    data = _posted(request, forms.DecisionForm, "Pick a decision and a reason.")
    if data is None:
        return redirect("console:case", case_id=case_id)
    if _attempt(request, lambda: services.case_decide(
            case_id=case_id, moderator=request_user(request), action=data["action"],
            reason_code=data["reason_code"], note=data["note"],
            suspend_days=data["suspend_days"]),
            f"Case {case_id}: {data['action']}."):
        return redirect("console:queue")
    return redirect("console:case", case_id=case_id)


# --- appeals ----------------------------------------------------------------------------------

@console_required
def appeals_view(request: HttpRequest) -> HttpResponse:
    return render(request, "moderation/console/appeals.html", {
        "appeals": list(selectors.appeal_list(status=AppealStatus.PENDING)[:200]),
        "form": forms.AppealDecisionForm()})


@console_action
def appeal_decide_view(request: HttpRequest, appeal_id: int) -> HttpResponse:
    data = _posted(request, forms.AppealDecisionForm, "Pick an outcome and give a reason.")
    if data is None:
        return redirect("console:appeals")
    _attempt(request, lambda: services.appeal_transition(
        appeal_id=appeal_id, to=AppealStatus(data["outcome"]), actor=request_user(request),
        reason=data["reason"]), f"Appeal {appeal_id}: {data['outcome']}.")
    return redirect("console:appeals")


# --- terms and the test tool ------------------------------------------------------------------

TERMS_SHOWN = 500


@console_required
def terms_view(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category") or None
    query = request.GET.get("q") or None
    test_form = forms.TestTextForm(request.POST or None)
    result = None
    if request.method == "POST" and test_form.is_valid():
        result = filters.prompt_explain(test_form.cleaned_data["text"],
                                        teen=test_form.cleaned_data["teen"])
    terms = selectors.term_list(category=category, query=query)
    return render(request, "moderation/console/terms.html", {
        # Thousands of shipped terms: show a page of them; the filters find the rest.
        "terms": terms[:TERMS_SHOWN], "terms_total": terms.count(),
        "categories": forms.CATEGORIES, "category": category or "", "q": query or "",
        "add_form": forms.TermForm(), "test_form": test_form, "result": result,
        "actions": Term.ActionOverride.choices})


@console_action
def term_add_view(request: HttpRequest) -> HttpResponse:
    data = _posted(request, forms.TermForm, "A term needs text and a category.")
    if data is not None:
        _attempt(request, lambda: services.term_create(actor=request_user(request), **data),
                 f"Added {data['text']!r}.")
    return redirect("console:terms")


@console_action
def term_edit_view(request: HttpRequest, term_id: int) -> HttpResponse:
    if request.POST.get("delete") == "1":
        _attempt(request, lambda: services.term_delete(actor=request_user(request),
                                                       term_id=term_id),
                 "Term deleted.")
        return redirect("console:terms")
    form = forms.TermEditForm(request.POST)
    if form.is_valid():
        _attempt(request, lambda: services.term_update(
            actor=request_user(request), term_id=term_id, action=form.cleaned_data["action"],
            active=form.cleaned_data["active"]), "Term saved.")
    return redirect("console:terms")


@console_required
def evaluate_view(request: HttpRequest) -> HttpResponse:
    """Score an uploaded labelled prompt file against the live terms, as moderation_eval does."""
    form = forms.EvalFileForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = evaluate_prompts(form.cleaned_data["file"])
    return render(request, "moderation/console/evaluate.html", {
        "form": form, "report": report,
        "tables": [("Language", report.by_language), ("Category", report.by_category),
                   ("Variant", report.by_variant)] if report else [],
        "upload_max_mb": forms.EVAL_UPLOAD_MAX_BYTES // (1024 * 1024),
        "upload_max_prompts": forms.EVAL_UPLOAD_MAX_PROMPTS},
        status=400 if request.method == "POST" and not form.is_valid() else 200)


# --- dashboard --------------------------------------------------------------------------------

@console_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    stats = selectors.dashboard_stats()
    return render(request, "moderation/console/dashboard.html", {
        "stats": stats,
        "by_priority": [(Priority(p).label, n) for p, n in
                        sorted(stats["by_priority"].items(), reverse=True)],
        "by_category": sorted(stats["by_category"].items(), key=lambda kv: -kv[1])})
