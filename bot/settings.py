"""Process settings from the environment (or `.env`), read once at start-up."""
from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PARTNERSHIP = Path(__file__).parent / "data" / "north_yorkshire.example.yaml"


class Settings(BaseSettings):
    """Where the bot keeps its data, which partnership it serves and where it listens."""

    model_config = SettingsConfigDict(env_prefix="RAPIDREVIEW_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./rapidreview.db"
    partnership: Path = DEFAULT_PARTNERSHIP
    host: str = "127.0.0.1"
    port: int = 3978
    holidays_file: Path | None = None
    # How often every replica's ticker releases due reminders and retries deliveries.
    tick_seconds: float = 15.0
