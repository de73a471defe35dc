"""Settings read from the environment (`RELAYDESK_` prefix); nothing is built at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# The HubSpot API versions relaydesk can call (`hubspot/api/paths.py` holds each one's paths).
ApiVersion = Literal["2026-09", "2026-03", "v3"]
API_VERSIONS: tuple[ApiVersion, ...] = get_args(ApiVersion)
LATEST: ApiVersion = "2026-09"


class LimitSettings(BaseModel):
    max_text_length: int = 4000
    max_upload_bytes: int = 10 * 1024 * 1024
    visitor_messages_per_minute: int = 30
    ip_requests_per_minute: int = 600
    # Request bodies, bounded at the ASGI edge (`web/body_limit.py`): any request but a file
    # upload; an upload of knowledge files in the admin; how long a body may pause.
    # Signing in (`login_throttle.py`): tries per address, and wrong passwords for one account
    # from one address before that address waits `login_lockout_s`.
    login_attempts_per_minute: int = 10
    login_failures_before_lockout: int = 5
    login_lockout_s: float = 900.0
    max_body_bytes: int = 1024 * 1024
    max_import_bytes: int = 25 * 1024 * 1024
    body_timeout_s: float = 30.0
    # Uploads (`upload_quota.py`): what one visitor, and all of an organization's visitors
    # together, may upload in 24 hours; an upload no message took within
    # `unattached_upload_ttl_h` is deleted, file and row (`upload_sweep.py`).
    visitor_upload_bytes_per_day: int = Field(default=50 * 1024 * 1024, ge=0)
    organization_upload_bytes_per_day: int = Field(default=2 * 1024**3, ge=0)
    unattached_upload_ttl_h: float = Field(default=24.0, gt=0)
    # Widget sockets one visitor may hold open on one node; one more is closed with 4429.
    visitor_sockets_per_node: int = Field(default=10, ge=1)


class WorkerSettings(BaseModel):
    in_process: bool = True
    poll_interval_s: float = 1.0
    lease_s: float = 60.0
    max_attempts: int = 10
    max_backoff_s: float = 300.0
    concurrency: int = Field(default=64, ge=1)  # jobs running at once in one process
    # At most this many jobs of a kind at once: status reports, which wait on HubSpot's rate
    # limit when rep replies come faster than it, must not take every slot from the AI's
    # replies and the handoffs (those then stay pending, and are claimed as one ends).
    kind_limits: dict[str, Annotated[int, Field(ge=1)]] = Field(
        default_factory=lambda: {"hubspot.message_status": 8}
    )
    # On stop, how long running jobs may still take; those still running then (a job waiting
    # on HubSpot's rate limit may wait minutes) are handed back for the next worker.
    stop_grace_s: float = Field(default=10.0, ge=0)


class HubSpotSettings(BaseModel):
    """The instance's HubSpot app (OAuth mode); the demo points the URLs at the sandbox."""

    # "project": a developer-platform project app (`relaydesk hubspot-project` writes it; its
    # webhooks are declared in the project); "legacy": an existing legacy public app, whose
    # webhook settings and subscriptions relaydesk creates through the webhooks API.
    app_kind: Literal["project", "legacy"] = "project"
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    app_id: int = 0
    developer_api_key: SecretStr = SecretStr("")
    base_url: str = "https://api.hubapi.com"
    app_base_url: str = "https://app.hubspot.com"
    # HubSpot's API version, by date ("2026-09", "2026-03") or "v3" (the paths relaydesk called
    # before); `hubspot/paths.py` maps each operation to its path in each.
    api_version: ApiVersion = LATEST
    rate_limit_per_10s: int = 100
    timeout_s: float = 20.0


class LLMSettings(BaseModel):
    """An OpenAI-compatible chat-completions endpoint; without base URL and model the embedded
    brain answers."""

    base_url: str = ""
    model: str = ""
    api_key: SecretStr = SecretStr("")
    timeout_s: float = 30.0
    temperature: float = 0.2
    max_tokens: int = 600
    max_retries: int = 1
    stream: bool = True

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.model)


class SmtpSettings(BaseModel):
    """The mail server relaydesk sends through (`mail.py`); without a host nothing is sent and
    mail jobs fail with a clear error on the failed-jobs page."""

    host: str = ""
    port: int = Field(default=25, ge=1, le=65535)
    # "starttls": upgrade a plain connection (refused if the server cannot); "ssl": TLS from
    # the first byte (usually port 465); "none": plain text, for a server on the same machine.
    tls: Literal["none", "starttls", "ssl"] = "starttls"
    user: str = ""
    password: SecretStr = SecretStr("")
    from_address: str = "relaydesk@localhost"
    timeout_s: float = Field(default=30.0, gt=0)

    @property
    def configured(self) -> bool:
        return bool(self.host)


class FollowUpSettings(BaseModel):
    """What happens when nobody answers, or nobody reads the answer (`no_rep.py`,
    `unread_replies.py`); the worker looks every `scan_every_s`."""

    # After a handoff nobody replied to or took for this long, the visitor is told and offered
    # to leave an email.
    no_rep_after_s: float = Field(default=600.0, gt=0)
    # A rep's reply no widget showed for this long is emailed to the visitor (with an email);
    # after an email, replies are gathered for `mail_batch_window_s` before the next.
    unread_mail_after_s: float = Field(default=900.0, gt=0)
    mail_batch_window_s: float = Field(default=1800.0, ge=0)
    scan_every_s: float = Field(default=30.0, gt=0)
    # How far back the scans look: older unanswered or unread conversations are left alone.
    horizon_h: float = Field(default=72.0, gt=0)


# In the source for everyone to read: with it every stored secret decrypts and visitor tokens
# can be forged, so only the demo may run with it (`Settings.check_secret`).
PUBLISHED_SECRET = "change-me-in-production-please-32b"
MIN_SECRET_LENGTH = 32


class InsecureSecret(RuntimeError):
    """RELAYDESK_SECRET_KEY is the published default or too short."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RELAYDESK_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = "sqlite+aiosqlite:///./var/relaydesk.db"
    redis_url: str | None = None
    # PostgreSQL connections per process (pool plus overflow): mind the server's max_connections.
    # Kept open: a connection beyond the pool (overflow) is closed when handed back and opened
    # again at the next burst, and opening one costs more than the statements it then runs.
    database_pool_size: int = 20
    database_max_overflow: int = 0
    secret_key: SecretStr = SecretStr(PUBLISHED_SECRET)
    public_base_url: str = "http://127.0.0.1:8000"
    # Proxies (IPs or networks) whose X-Forwarded-For / X-Forwarded-Proto are believed
    # (`web/proxies.py`); empty: the peer's address is the client's.
    trusted_proxies: list[str] = []
    # Private networks (CIDRs) an AI action may call, for actions an organization's admin marks
    # as calling inside their network; empty: none. An instance-wide decision, not a tenant's.
    action_private_networks: list[str] = []
    data_dir: Path = Path("./var")
    demo: bool = False
    log_level: str = "info"
    visitor_token_ttl_days: int = 365
    identity_token_max_ttl_s: int = 3600
    # How long an attachment URL works (`attachment_urls.py`); the widget fetches fresh ones.
    attachment_url_ttl_s: int = Field(default=3600, ge=1)
    # How often objects frozen out of the garbage collector are thawed, so cycles among them
    # that died are freed (`collector.py`); 0 keeps only the start-up freeze.
    collector_thaw_s: float = Field(default=600.0, ge=0)
    # How long /metrics reuses the analytics figures it computed (a month of conversations per
    # organization is read each time).
    analytics_metrics_ttl_s: float = Field(default=300.0, ge=0)
    limits: LimitSettings = LimitSettings()
    worker: WorkerSettings = WorkerSettings()
    hubspot: HubSpotSettings = HubSpotSettings()
    llm: LLMSettings = LLMSettings()
    smtp: SmtpSettings = SmtpSettings()
    followup: FollowUpSettings = FollowUpSettings()

    def check_secret(self) -> None:
        """Outside the demo, refuse the published default and short keys."""
        secret = self.secret_key.get_secret_value()
        if self.demo:
            return
        if secret == PUBLISHED_SECRET:
            raise InsecureSecret(
                "RELAYDESK_SECRET_KEY is the published default: set a long random value of your "
                "own (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        if len(secret) < MIN_SECRET_LENGTH:
            raise InsecureSecret(
                f"RELAYDESK_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters"
            )

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"
