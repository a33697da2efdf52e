"""All settings in one place: defaults for the embedded mode, overridden by environment variables."""

import os
from dataclasses import dataclass, field
from pathlib import Path

INSTANCE_DIR = Path(os.environ.get("IAM_INSTANCE_DIR", Path(__file__).resolve().parent.parent / "instance"))


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Settings:
    """Read once by create_app(); the only place that reads os.environ."""

    secret_key: str = field(default_factory=lambda: os.environ.get("SECRET_KEY", "dev-only-not-secret"))
    database_url: str = field(
        default_factory=lambda: os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'integration-aktiv.sqlite'}"
        )
    )
    broker_url: str = field(
        default_factory=lambda: os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    )
    # Separate queue names let several deployments (or test runs) share one Redis.
    task_queue: str = field(default_factory=lambda: os.environ.get("CELERY_QUEUE", "integration-aktiv"))
    # Embedded mode runs background tasks in the web process, so a laptop needs no Redis.
    tasks_in_process: bool = field(default_factory=lambda: _flag("TASKS_IN_PROCESS", True))
    base_url: str = field(default_factory=lambda: os.environ.get("BASE_URL", "http://127.0.0.1:5000"))
    mail_server: str = field(default_factory=lambda: os.environ.get("MAIL_SERVER", "127.0.0.1"))
    mail_port: int = field(default_factory=lambda: int(os.environ.get("MAIL_PORT", "8025")))
    mail_use_tls: bool = field(default_factory=lambda: _flag("MAIL_USE_TLS", False))
    mail_username: str = field(default_factory=lambda: os.environ.get("MAIL_USERNAME", ""))
    mail_password: str = field(default_factory=lambda: os.environ.get("MAIL_PASSWORD", ""))
    mail_sender: str = field(
        default_factory=lambda: os.environ.get(
            "MAIL_SENDER", "Integration aktiv <integration@kaufbeuren.example>"
        )
    )
    # "console" prints mails to the log instead of sending them (embedded demo without SMTP server).
    mail_backend: str = field(default_factory=lambda: os.environ.get("MAIL_BACKEND", "smtp"))
    # Served over HTTPS (behind a TLS proxy): plain-HTTP requests are redirected, HSTS is sent, and the
    # session cookie travels over HTTPS only. Off for the laptop demo on http://127.0.0.1.
    https: bool = field(default_factory=lambda: _flag("HTTPS", _flag("SESSION_COOKIE_SECURE", False)))
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted; the login rate limit
    # counts per client address, which without this would be the proxy's.
    proxy_count: int = field(default_factory=lambda: int(os.environ.get("PROXY_COUNT", "0")))
    # Where the login rate limits count; "memory://" keeps them per process (laptop demo).
    ratelimit_storage_url: str = field(default_factory=lambda: os.environ.get("RATELIMIT_STORAGE_URL", ""))
    # Redis hands an unacknowledged task to another worker after this long, so it must exceed the longest
    # task; the fault tests shorten it (with the restore sweep) to see recovery within seconds.
    visibility_timeout_s: int = field(
        default_factory=lambda: int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
    )
    # Seconds between kombu's sweeps that put back the tasks of a dead worker; None: kombu's ~100 s.
    restore_sweep_s: int | None = field(
        default_factory=lambda: int(os.environ.get("CELERY_RESTORE_SWEEP_S") or 0) or None
    )
    # A matching task whose worker dies every time is marked failed after this many attempts.
    match_max_attempts: int = field(default_factory=lambda: int(os.environ.get("MATCH_MAX_ATTEMPTS", "5")))
    # Threads a worker process uses for BLAS, OpenMP and the sparse text product (workers/celery_app.py).
    match_threads: int = field(default_factory=lambda: int(os.environ.get("MATCH_THREADS", "1")))
    # A matching task also matches up to this many more waiting registrations or needs (bursts); 0: never.
    match_batch_size: int = field(default_factory=lambda: int(os.environ.get("MATCH_BATCH_SIZE", "50")))
    # Test hook only (tests/faults): each matching task sleeps this long mid-task, so it can be killed there.
    match_test_delay_s: float = field(
        default_factory=lambda: float(os.environ.get("MATCH_TEST_DELAY_S", "0"))
    )
    default_locale: str = "de"
    # Catalogues that exist; a new language is a new folder under app/translations.
    locales: tuple[str, ...] = field(
        default_factory=lambda: tuple(os.environ.get("LOCALES", "de,en,tr,ar,ru,uk").split(","))
    )

    def flask_config(self) -> dict[str, object]:
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "CELERY": {
                "broker_url": self.broker_url,
                "task_always_eager": self.tasks_in_process,
                "task_default_queue": self.task_queue,
                # State lives in the database; a result backend would make publishing hang when Redis is down.
                "task_ignore_result": True,
                "result_backend": None,
                # A task is acknowledged after it ran, and re-queued if its worker process dies.
                "task_acks_late": True,
                "task_reject_on_worker_lost": True,
                "worker_prefetch_multiplier": 1,
                # The hard time limit keeps every task shorter than the visibility timeout.
                "broker_transport_options": self._transport_options(),
                "task_time_limit": max(1, self.visibility_timeout_s * 5 // 6),
                "broker_connection_retry_on_startup": True,
                "timezone": "Europe/Berlin",
            },
            "TASKS_IN_PROCESS": self.tasks_in_process,
            "MATCH_MAX_ATTEMPTS": self.match_max_attempts,
            "MATCH_BATCH_SIZE": self.match_batch_size,
            "MATCH_THREADS": self.match_threads,
            "MATCH_TEST_DELAY_S": self.match_test_delay_s,
            "BASE_URL": self.base_url.rstrip("/"),
            "MAIL_SERVER": self.mail_server,
            "MAIL_PORT": self.mail_port,
            "MAIL_USE_TLS": self.mail_use_tls,
            "MAIL_USERNAME": self.mail_username,
            "MAIL_PASSWORD": self.mail_password,
            "MAIL_DEFAULT_SENDER": self.mail_sender,
            "MAIL_BACKEND": ("console" if self.mail_backend == "console" else "smtp"),
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.https,
            "HTTPS": self.https,
            "PROXY_COUNT": self.proxy_count,
            # Without its own setting the limiter counts in the broker's Redis, or in memory when tasks
            # run in-process (no Redis); if Redis fails, it falls back to memory rather than refuse logins.
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_url
            or ("memory://" if self.tasks_in_process else self.broker_url),
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
            "RATELIMIT_HEADERS_ENABLED": True,
            "RATELIMIT_KEY_PREFIX": f"{self.task_queue}-limits",
            "BABEL_DEFAULT_LOCALE": self.default_locale,
            "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
            "LOCALES": self.locales,
            "WTF_CSRF_TIME_LIMIT": None,
        }

    def _transport_options(self) -> dict[str, int]:
        options = {"visibility_timeout": self.visibility_timeout_s}
        if self.restore_sweep_s is not None:
            # kombu scans on every Nth sweep only (N = throttle); one means every sweep.
            options |= {"unacked_restore_interval": self.restore_sweep_s, "unacked_restore_throttle": 1}
        return options
