from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "phaen.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        # phaen.api sits below this app, so it asks for the token look-up through a registry.
        from phaen.accounts.api_auth import authenticate_token
        from phaen.api.auth import register_token_authenticator

        register_token_authenticator(authenticate_token)

        # Import jobs live in phaen.core; system administrators and auditors read every job.
        from phaen.accounts.permissions import is_auditor
        from phaen.core.import_jobs import register_job_reader

        register_job_reader(is_auditor)
