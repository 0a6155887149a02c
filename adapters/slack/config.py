"""Slack's settings from the environment, and the platform name its cases carry."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_API_URL = "https://slack.com/api/"
PLATFORM = "slack"  # cases opened from Slack carry this name; their outbox rows come to our port


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str
    signing_secret: str
    app_token: str | None = None
    api_url: str = DEFAULT_API_URL
    admin_user_token: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "SlackConfig | str":
        """The configuration, or the reason Slack is off (for the start-up block)."""
        missing = [k for k in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET") if not (env.get(k) or "").strip()]
        if missing:
            return f"{' and '.join(missing)} not set"
        url = (env.get("SLACK_API_URL") or DEFAULT_API_URL).strip()
        # slack_sdk joins base_url and the method name by plain concatenation: it must end with a slash.
        url = url if url.endswith("/") else url + "/"
        return cls(bot_token=env["SLACK_BOT_TOKEN"].strip(), signing_secret=env["SLACK_SIGNING_SECRET"].strip(),
                   app_token=(env.get("SLACK_APP_TOKEN") or "").strip() or None, api_url=url,
                   admin_user_token=(env.get("SLACK_ADMIN_USER_TOKEN") or "").strip() or None)
