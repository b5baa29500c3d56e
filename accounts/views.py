"""The second factor's pages: the code after the password, the enrolment of an
authenticator app, the recovery codes (shown once) and «Двухфакторная защита» in the
profile menu. The rules and changes are accounts/second_factor.py's."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from profplan.site import safe_next

from . import access, second_factor
from .forms import CodeForm, FirstCodeForm
from .second_factor import SecondFactorError


def _next_url(request) -> str:
    """Where to go once the code is passed: the page that was asked for, if it is ours."""
    return safe_next(request, resolve_url(settings.LOGIN_REDIRECT_URL))


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


@never_cache
@login_required
def verify(request):
    """After the password: six digits from the app, or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not second_factor.is_on(user):
        if access.must_use_second_factor(user):
            return redirect(_with_next("second_factor:enrol", next_url))
        # Turned on once, then reset by a superuser: the account signs in as before.
        request.session[second_factor.SESSION_FLAG] = False
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.second_factor_verify(
                request=request, user=user, token=form.cleaned_data["code"]
            )
        except SecondFactorError as error:
            form.add_error("code", error.message)
        else:
            second_factor.session_verified(request, device)
            if isinstance(device, StaticDevice):
                left = second_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"Вы вошли по коду восстановления; он больше не действует. Осталось "
                    f"кодов: {left}. Если телефон потерян, попросите администратора сбросить "
                    "двухфакторную защиту, а новые коды можно получить на странице "
                    "«Двухфакторная защита».",
                )
            return redirect(next_url)
    return render(request, "accounts/second_factor/verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
def enrol(request):
    """Set up an authenticator app: the QR code and the key as text, then the first code."""
    user = request.user
    next_url = _next_url(request)
    if second_factor.is_on(user):
        if user.is_verified():
            return redirect("second_factor:settings")
        # A device is there: a password alone must not replace it with another.
        return redirect(_with_next("second_factor:verify", next_url))
    key = request.session.get(second_factor.SESSION_PENDING_KEY, "")
    device = second_factor.device_new(user=user, key=key)
    request.session[second_factor.SESSION_PENDING_KEY] = device.key
    form = FirstCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = second_factor.device_confirm(
                request=request, user=user, key=device.key, token=form.cleaned_data["code"]
            )
        except SecondFactorError as error:
            form.add_error("code", error.message)
        else:
            del request.session[second_factor.SESSION_PENDING_KEY]
            second_factor.session_verified(request, device)
            request.session[second_factor.SESSION_NEW_CODES] = codes
            return redirect(_with_next("second_factor:recovery-codes", next_url))
    return render(
        request,
        "accounts/second_factor/enrol.html",
        {
            "form": form,
            "next": next_url,
            "qr": second_factor.qr_svg(device),
            "key": second_factor.key_text(device),
            "required": access.must_use_second_factor(user),
        },
    )


@never_cache
@login_required
def recovery_codes(request):
    """The ten new recovery codes, once: until «Я сохранил коды» they stay in the session
    (for «Скачать» and printing), then nowhere but in the database, spent one by one."""
    codes = request.session.get(second_factor.SESSION_NEW_CODES) or []
    next_url = _next_url(request)
    if request.method == "POST":
        request.session.pop(second_factor.SESSION_NEW_CODES, None)
        return redirect(next_url)
    return render(
        request,
        "accounts/second_factor/recovery_codes.html",
        {"codes": [second_factor.show_code(code) for code in codes], "next": next_url},
    )


@never_cache
@login_required
def recovery_codes_download(request):
    codes = request.session.get(second_factor.SESSION_NEW_CODES) or []
    if not codes:
        messages.error(
            request,
            "Коды восстановления показываются один раз. Получите новые на этой странице.",
        )
        return redirect("second_factor:settings")
    lines = [
        "Профплан: коды восстановления",
        f"Учётная запись: {request.user.get_username()}",
        "Каждый код действует один раз: введите его вместо кода из приложения,",
        "если телефона нет под рукой. Храните их там, где их не увидят другие.",
        "",
        *(second_factor.show_code(code) for code in codes),
        "",
    ]
    response = HttpResponse("\r\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="profplan-recovery-codes.txt"'
    return response


@never_cache
@login_required
def settings_page(request):
    """«Двухфакторная защита»: on or off, and what can be done about it."""
    user = request.user
    device = second_factor.app_device(user)
    return render(
        request,
        "accounts/second_factor/settings.html",
        {
            "device": device,
            "codes_left": second_factor.recovery_codes_left(user) if device else 0,
            "required": access.must_use_second_factor(user),
            "may_turn_off": access.may_turn_off_second_factor(user),
        },
    )


@login_required
@require_POST
def turn_off(request):
    if not access.may_turn_off_second_factor(request.user):
        raise PermissionDenied
    second_factor.device_disable(request=request, user=request.user)
    messages.success(request, "Двухфакторная защита отключена: вход снова только по паролю.")
    return redirect("second_factor:settings")


@login_required
@require_POST
def recovery_codes_new(request):
    if not second_factor.is_on(request.user):
        return redirect("second_factor:settings")
    codes = second_factor.recovery_codes_issue(request=request, user=request.user)
    request.session[second_factor.SESSION_NEW_CODES] = codes
    return redirect(_with_next("second_factor:recovery-codes", reverse("second_factor:settings")))
