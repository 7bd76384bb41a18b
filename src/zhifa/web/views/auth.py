"""Login and logout. Lockout after repeated failures is django-axes (settings ``AXES_*``):
its middleware answers a locked account with ``web/locked_out.html``."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The username or password is incorrect. Repeated failures lock the account "
            "for a while."
        ),
        "inactive": _("This account is disabled. Ask your administrator."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
