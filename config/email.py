"""Django's MAILERS setting from one URL (EMAIL_URL), parsed by django-environ."""

import environ

DUMMY_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def mailers_from_url(url: str, *, timeout: int = 10) -> dict:
    """``{"default": {...}}`` for ``smtp://``, ``smtp+tls://``, ``smtp+ssl://`` or ``consolemail://``; no URL: dummy.

    The SMTP timeout keeps a stuck mail server from holding a web worker.
    """
    if not url:
        return {"default": {"BACKEND": DUMMY_BACKEND}}
    config = environ.Env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    mailer: dict = {"BACKEND": backend}
    if backend == SMTP_BACKEND:
        mailer["OPTIONS"] = {
            "host": config["EMAIL_HOST"],
            "port": config["EMAIL_PORT"],
            "username": config["EMAIL_HOST_USER"] or "",
            "password": config["EMAIL_HOST_PASSWORD"] or "",
            "use_tls": bool(config.get("EMAIL_USE_TLS")),
            "use_ssl": bool(config.get("EMAIL_USE_SSL")),
            "timeout": timeout,
        }
    return {"default": mailer}
