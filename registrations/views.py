"""Student pages: sign up, my events (status, waitlist place, check-in QR code, attendance,
feedback, certificates), the feedback form and the history across every event."""

import math
from types import SimpleNamespace

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from events.manage_nav import manage_context
from events.selectors import event_get_organized, event_get_visible_or_404
from eventsite.clients import PeerScopedRateThrottle
from eventsite.errors import DomainError
from eventsite.forms import form_add_domain_error
from eventsite.logins import locked_message, lockout_response
from registrations.forms import AccessCodesForm, FeedbackForm, LoginForm, SignupForm, SignupResendForm, SignupVerifyForm
from registrations.models import Student
from registrations.selectors import (
    access_code_list,
    feedback_of,
    student_event_record,
)
from registrations.services import (
    access_codes_generate,
    feedback_submit,
    signup_verification_resend,
    signup_verify,
    student_signup,
)
from registrations.verification import signup_link_user


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _auth_throttle_wait(request: HttpRequest) -> int | None:
    """Seconds this address must wait, when it has used up AUTH_THROTTLE_RATE; else None.

    The same counter (scope ``auth``) as the API's token and sign-up endpoints, so the pages
    give no second allowance of sign-ups or emailed links per address.
    """
    throttle = PeerScopedRateThrottle()
    if throttle.allow_request(request, SimpleNamespace(throttle_scope="auth")):
        return None
    return max(1, math.ceil(throttle.wait() or 60))


def _throttled(request: HttpRequest, form, template: str, context: dict) -> HttpResponse | None:
    wait = _auth_throttle_wait(request)
    if wait is None:
        return None
    form.is_valid()
    form.add_error(None, f"Too many attempts from your address. Try again in {math.ceil(wait / 60)} minutes.")
    response = render(request, template, {"form": form, **context}, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("my-events")
    form = SignupForm(request.POST or None)
    context = {"next": _safe_next(request, "")}
    if request.method == "POST":
        refused = _throttled(request, form, "registration/signup.html", context)
        if refused is not None:
            return refused
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            student = student_signup(
                enrollment_no=data["enrollment_no"],
                full_name=data["full_name"],
                email=data["email"],
                department=data["department"],
                year=data["year"],
                password=data["password"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            if not student.user.is_active:
                request.session["signup_email"] = student.email
                return redirect("signup-check-email")
            login(request, student.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {student.full_name}. Your username is {student.enrollment_no}.")
            return redirect(_safe_next(request, "my-events"))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "registration/signup.html", {"form": form, **context}, status=status)


@require_http_methods(["GET"])
def signup_check_email(request: HttpRequest) -> HttpResponse:
    context = {"email": request.session.get("signup_email"), "form": SignupResendForm()}
    return render(request, "registration/signup_check_email.html", context)


@require_http_methods(["GET", "POST"])
def signup_resend(request: HttpRequest) -> HttpResponse:
    """Send the link again; the answer is the same whether or not a sign-up is waiting."""
    form = SignupResendForm(request.POST or None)
    template = "registration/signup_check_email.html"
    if request.method == "POST":
        refused = _throttled(request, form, template, {"resent": False})
        if refused is not None:
            return refused
        if form.is_valid():
            signup_verification_resend(enrollment_no=form.cleaned_data["enrollment_no"])
            context = {"form": SignupResendForm(), "resent": form.cleaned_data["enrollment_no"].strip().upper()}
            return render(request, template, context)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def signup_verify_page(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: the sign-up's password finishes it and logs the student in."""
    user = signup_link_user(token)
    if user is None:
        context = {"form": SignupResendForm()}
        return render(request, "registration/signup_link_expired.html", context, status=400)
    form = SignupVerifyForm(request.POST or None)
    # The password asked here is a login attempt like any other: the one lock-out counts it.
    credentials = {"username": user.username}
    if request.method == "POST" and AxesProxyHandler.is_locked(request, credentials):
        form.is_valid()
        form.add_error(None, locked_message())
        context = {"form": form, "username": user.username}
        return lockout_response(request, render(request, "registration/signup_verify.html", context))
    if request.method == "POST" and form.is_valid():
        try:
            user = signup_verify(token=token, password=form.cleaned_data["password"])
        except DomainError as error:
            if "password" in error.details:
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            form_add_domain_error(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return render(request, "registration/signup_verified.html", {"student": getattr(user, "student", None)})
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "registration/signup_verify.html", {"form": form, "username": user.username}, status=status)


def _student_or_none(request: HttpRequest) -> Student | None:
    return getattr(request.user, "student", None)


@login_required
@require_http_methods(["GET", "POST"])
def event_feedback(request: HttpRequest, event_id: str) -> HttpResponse:
    event = event_get_visible_or_404(event_id, request.user)
    student = _student_or_none(request)
    if student is None:
        return render(request, "registrations/not_a_student.html", status=403)
    given = feedback_of(student, event)
    record = student_event_record(student, event)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and given is None and form.is_valid():
        try:
            feedback_submit(
                event=event,
                enrollment_no=student.pk,
                rating=form.cleaned_data["rating"],
                comments=form.cleaned_data["comments"],
                actor=request.user,
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"Thank you for your feedback on {event.title}.")
            return redirect("my-events")
    status = 400 if form.is_bound and form.errors else 200
    context = {"event": event, "form": form, "given": given, "record": record}
    return render(request, "registrations/feedback.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def event_access_codes(request: HttpRequest, event_id: str) -> HttpResponse:
    """An invite-only event's codes: make more, and see how often each was used (organizers)."""
    event = event_get_organized(event_id, request.user)
    form = AccessCodesForm(request.POST or None)
    fresh: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            fresh = [code.code for code in access_codes_generate(event=event, actor=request.user, **form.cleaned_data)]
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"{len(fresh)} new code{'s' if len(fresh) != 1 else ''}: hand them out below.")
            form = AccessCodesForm()
    context = {
        **manage_context(event, "access_codes"),
        "form": form,
        "fresh": fresh,
        "codes": access_code_list(event=event, actor=request.user),
    }
    return render(request, "registrations/access_codes.html", context, status=400 if form.errors else 200)


class SiteLoginView(LoginView):
    """Django's login page with LoginForm (the lock-out's answer is made 429 by its middleware)."""

    authentication_form = LoginForm
