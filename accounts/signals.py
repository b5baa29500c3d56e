"""Events of the second factor (accounts/second_factor.py), for whoever records them
(the audit trail connects to these). Each is sent with `sender` = the user model and
these keyword arguments; `request` is None when no request is at hand (a command).

- `otp_verified(request, user, method, remaining)`: the second factor passed.
  `method` is "totp" (a code from the authenticator app) or "recovery" (one of the
  recovery codes, now spent; `remaining` is how many are left, None for "totp").
- `otp_failed(request, user, reason)`: a code was refused. `reason` is "wrong"
  (neither a current code nor an unspent recovery code), "replayed" (a code from the
  app that was already used), "throttled" (too many wrong codes in a row: not even
  checked) or "enrolment" (a wrong first code while setting up a device).
- `device_changed(request, user, by, action)`: `user`'s second factor changed;
  `by` is who did it (the user, or a superuser for "reset"). `action` is "enrolled"
  (a new device confirmed and ten recovery codes issued), "reset" (a superuser
  removed the devices: the next sign-in sets up a new one), "disabled" (a school or
  coordinator account turned it off) or "recovery_codes" (a new set of recovery codes
  replaced the old one).
"""

from django.dispatch import Signal

otp_verified = Signal()
otp_failed = Signal()
device_changed = Signal()
