"""The Bronze landing contract: what each source writes into the lake, and where.

This is the single Python statement of the contract. The dbt source YAML under
``models/bronze/<source>/`` documents the same columns for analysts, and
``tests/python/test_contract.py`` keeps the two in step.

Layout (mirrors the ADLS Gen2 ``bronze`` container)::

    <lake_root>/bronze/<source>/<entity>/ingest_date=YYYY-MM-DD/part-00000.<ext>

Conventions shared by every source:

* Timestamps are ISO-8601 strings in UTC with a ``Z`` suffix
  (``2026-10-01T19:04:05Z``; playback adds milliseconds, ``...05.123Z``).
* Dates are ``YYYY-MM-DD`` except in the vendor catalog, which keeps the public
  catalog's ``September 25, 2021`` style.
* JSON-lines files hold one object per line, UTF-8, ``\\n`` line ends.
* CSV files are RFC 4180: comma separated, ``"`` quoted, a header row, UTF-8.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

# Logical types of landed fields. Landed files carry text; these say what the
# text should parse as, so Bronze can type it and keep the raw text beside it.
STRING = "string"
INTEGER = "integer"
DECIMAL = "decimal"
BOOLEAN = "boolean"
DATE = "date"
TIMESTAMP = "timestamp"
JSON_ARRAY = "json_array"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool = True
    accepted_values: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Entity:
    source: str
    name: str
    file_format: str  # "jsonl" or "csv"
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    arrival: str
    description: str

    @property
    def extension(self) -> str:
        return "jsonl" if self.file_format == "jsonl" else "csv"

    @property
    def column_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def partition_dir(self, lake_root: Path, ingest_date: date) -> Path:
        return Path(lake_root) / "bronze" / self.source / self.name / f"ingest_date={ingest_date.isoformat()}"

    def file_path(self, lake_root: Path, ingest_date: date, part: int = 0) -> Path:
        return self.partition_dir(lake_root, ingest_date) / f"part-{part:05d}.{self.extension}"


ACCOUNT_STATUSES = ("active", "suspended", "closed")
SUBSCRIPTION_EVENT_TYPES = ("start", "upgrade", "downgrade", "cancel", "payment")
PLAN_IDS = ("basic", "standard", "premium")
CURRENCIES = ("USD", "EUR", "GBP", "INR", "BRL", "JPY", "CAD", "AUD", "MXN", "KRW")
THUMBS = ("down", "up", "double_up")
TITLE_TYPES = ("movie", "series")
VENDOR_TYPES = ("Movie", "TV Show")
LICENSE_TYPES = ("exclusive", "non_exclusive")
SOCIAL_PLATFORMS = ("x", "instagram", "tiktok", "reddit", "youtube", "facebook")
REVIEW_SITES = ("imdb", "rotten_tomatoes", "metacritic", "letterboxd")
PLAYBACK_EVENT_TYPES = (
    "start",
    "play",
    "pause",
    "seek",
    "buffer_start",
    "buffer_end",
    "bitrate_change",
    "error",
    "stop",
    "heartbeat",
)
DEVICES = ("smart_tv", "streaming_stick", "game_console", "mobile", "tablet", "web", "set_top_box")
OPERATING_SYSTEMS = (
    "tizen",
    "webos",
    "android_tv",
    "roku_os",
    "tvos",
    "ios",
    "android",
    "windows",
    "macos",
    "playstation",
    "xbox",
)
CDNS = ("akamai", "azure_front_door", "cloudflare", "fastly")

ENTITIES: tuple[Entity, ...] = (
    Entity(
        source="app",
        name="accounts",
        file_format="jsonl",
        key=("account_id", "updated_at"),
        arrival="Initial load of every existing account in the first file, then a daily change extract: every account created or changed that day (signups, new login IPs, suspensions, closures), one line per change.",
        description="Subscriber accounts as the app database holds them.",
        fields=(
            Field("account_id", STRING, description="Account identifier, `A` followed by 7 digits."),
            Field("email", STRING, description="Login e-mail address. Personal data."),
            Field("full_name", STRING, required=False, description="Account holder's name. Personal data."),
            Field("country", STRING, description="ISO 3166-1 alpha-2 country of the account."),
            Field("signup_at", TIMESTAMP, description="When the account was created (UTC)."),
            Field("status", STRING, accepted_values=ACCOUNT_STATUSES, description="Account status."),
            Field("last_login_ip", STRING, required=False, description="IP address of the last login. Personal data."),
            Field("updated_at", TIMESTAMP, description="When this version of the account was written (UTC)."),
        ),
    ),
    Entity(
        source="app",
        name="profiles",
        file_format="jsonl",
        key=("profile_id",),
        arrival="Initial load of every existing profile in the first file, then a daily extract of profiles created that day.",
        description="Viewing profiles inside an account (up to five per account).",
        fields=(
            Field("profile_id", STRING, description="Profile identifier, `P` followed by 8 digits."),
            Field("account_id", STRING, description="Owning account."),
            Field(
                "profile_name", STRING, required=False, description="Display name chosen by the user. Personal data."
            ),
            Field("is_kids", BOOLEAN, description="Kids profile (JSON true/false)."),
            Field("created_at", TIMESTAMP, description="When the profile was created (UTC)."),
        ),
    ),
    Entity(
        source="app",
        name="subscription_events",
        file_format="jsonl",
        key=("event_id",),
        arrival="Daily extract of billing and plan events of that day.",
        description="Subscription lifecycle and payment events from the billing service.",
        fields=(
            Field("event_id", STRING, description="Event identifier (UUID)."),
            Field("account_id", STRING, description="Account the event belongs to."),
            Field("event_type", STRING, accepted_values=SUBSCRIPTION_EVENT_TYPES, description="Lifecycle step."),
            Field("plan_id", STRING, accepted_values=PLAN_IDS, description="Plan after the event."),
            Field(
                "amount", DECIMAL, required=False, description="Amount charged in major currency units (payments only)."
            ),
            Field(
                "currency",
                STRING,
                required=False,
                accepted_values=CURRENCIES,
                description="ISO 4217 currency of `amount`.",
            ),
            Field("event_ts", TIMESTAMP, description="When the event happened (UTC)."),
        ),
    ),
    Entity(
        source="app",
        name="ratings",
        file_format="jsonl",
        key=("rating_id",),
        arrival="Daily extract of thumbs given that day.",
        description="Thumbs ratings given by profiles to titles.",
        fields=(
            Field("rating_id", STRING, description="Rating identifier (UUID)."),
            Field("account_id", STRING, description="Account of the rating profile."),
            Field("profile_id", STRING, description="Profile that rated."),
            Field("title_id", STRING, description="Rated title (vendor `show_id` or studio `original_id`)."),
            Field("thumb", STRING, accepted_values=THUMBS, description="Thumbs down, up, or double up."),
            Field("rated_at", TIMESTAMP, description="When the rating was given (UTC)."),
        ),
    ),
    Entity(
        source="app",
        name="watchlist_adds",
        file_format="jsonl",
        key=("event_id",),
        arrival="Daily extract of watchlist additions of that day.",
        description="Titles added to a profile's watchlist.",
        fields=(
            Field("event_id", STRING, description="Event identifier (UUID)."),
            Field("account_id", STRING, description="Account of the profile."),
            Field("profile_id", STRING, description="Profile that added the title."),
            Field("title_id", STRING, description="Added title."),
            Field("added_at", TIMESTAMP, description="When the title was added (UTC)."),
        ),
    ),
    Entity(
        source="studio",
        name="originals",
        file_format="jsonl",
        key=("original_id", "updated_at"),
        arrival="Full export of the production system on the first day, then a line per original created or changed.",
        description="Flick Originals from in-house production.",
        fields=(
            Field("original_id", STRING, description="Original identifier, `FO` followed by 5 digits."),
            Field("title", STRING, description="Title as marketed."),
            Field("type", STRING, accepted_values=TITLE_TYPES, description="Movie or series."),
            Field("genres", JSON_ARRAY, description="JSON array of genre names."),
            Field("budget_usd", DECIMAL, description="Production budget in US dollars."),
            Field("release_date", DATE, description="Release date on Flick (YYYY-MM-DD)."),
            Field("runtime_min", INTEGER, description="Runtime in minutes (per episode for series)."),
            Field("seasons", INTEGER, required=False, description="Number of seasons (series only)."),
            Field("episodes", INTEGER, required=False, description="Total number of episodes (series only)."),
            Field("maturity_rating", STRING, description="Maturity rating code (e.g. TV-MA, PG-13)."),
            Field("updated_at", TIMESTAMP, description="When this version was exported (UTC)."),
        ),
    ),
    Entity(
        source="vendor",
        name="catalog",
        file_format="csv",
        key=("show_id", "ingest_date"),
        arrival="Full catalog file from the licensing vendor on the first day, then weekly change files. Columns of the public Netflix titles catalog; a change file may drop columns (schema drift).",
        description="Licensed titles from the vendor feed, in the public Netflix titles catalog format.",
        fields=(
            Field("show_id", STRING, description="Vendor title identifier, `s` followed by digits."),
            Field("type", STRING, accepted_values=VENDOR_TYPES, description="`Movie` or `TV Show`."),
            Field("title", STRING, description="Title."),
            Field("director", STRING, required=False, description="Comma-separated directors."),
            Field("cast", STRING, required=False, description="Comma-separated cast."),
            Field("country", STRING, required=False, description="Comma-separated production countries."),
            Field(
                "date_added",
                STRING,
                required=False,
                description="Date added to the catalog, `September 25, 2021` style.",
            ),
            Field("release_year", INTEGER, description="Year of original release."),
            Field("rating", STRING, required=False, description="Maturity rating (e.g. TV-MA, PG-13)."),
            Field("duration", STRING, description="`90 min` for movies, `2 Seasons` for shows."),
            Field("listed_in", STRING, description="Comma-separated genres."),
            Field("description", STRING, required=False, description="Synopsis."),
        ),
    ),
    Entity(
        source="vendor",
        name="license_windows",
        file_format="csv",
        key=("license_id",),
        arrival="With each catalog file: the license windows it grants, one row per title and territory.",
        description="When and where each licensed title may be shown.",
        fields=(
            Field("license_id", STRING, description="License window identifier, `L` followed by 7 digits."),
            Field("show_id", STRING, description="Licensed vendor title."),
            Field("territory", STRING, description="ISO 3166-1 alpha-2 country the window applies to."),
            Field("window_start", DATE, description="First day the title may be shown (YYYY-MM-DD)."),
            Field("window_end", DATE, description="Last day the title may be shown (YYYY-MM-DD)."),
            Field("license_type", STRING, accepted_values=LICENSE_TYPES, description="Exclusive or not."),
            Field("fee_usd", DECIMAL, description="License fee in US dollars."),
        ),
    ),
    Entity(
        source="social",
        name="mentions",
        file_format="jsonl",
        key=("mention_id",),
        arrival="Hourly pulls from the social listening vendor, landed as one file per day.",
        description="Social media posts mentioning a title; titles are named by free text and year, not by id.",
        fields=(
            Field("mention_id", STRING, description="Vendor's post identifier."),
            Field("platform", STRING, accepted_values=SOCIAL_PLATFORMS, description="Social network."),
            Field(
                "title_text", STRING, description="Title as written in the post (case, punctuation and spacing vary)."
            ),
            Field(
                "release_year",
                INTEGER,
                required=False,
                description="Year the vendor attached to the mention, when known.",
            ),
            Field("posted_at", TIMESTAMP, description="When the post was published (UTC)."),
            Field("text_length", INTEGER, description="Length of the post text in characters."),
            Field("sentiment_score", DECIMAL, description="Vendor sentiment from -1 (negative) to 1 (positive)."),
            Field("likes", INTEGER, description="Likes at scrape time."),
            Field("shares", INTEGER, description="Shares or reposts at scrape time."),
        ),
    ),
    Entity(
        source="reviews",
        name="scores",
        file_format="csv",
        key=("site", "site_title_id", "scraped_at"),
        arrival="Daily scrape of external rating websites; one row per title and site per scrape.",
        description="Scores of titles on external rating websites, on each site's own scale.",
        fields=(
            Field("site", STRING, accepted_values=REVIEW_SITES, description="Rating website."),
            Field("site_title_id", STRING, description="The site's own identifier of the title."),
            Field("title", STRING, description="Title as the site writes it."),
            Field("release_year", INTEGER, required=False, description="Release year the site shows."),
            Field(
                "score",
                DECIMAL,
                description="Score on the site's scale (imdb 0-10, rotten_tomatoes 0-100, metacritic 0-100, letterboxd 0-5).",
            ),
            Field("vote_count", INTEGER, description="Number of votes or reviews behind the score."),
            Field("scraped_at", TIMESTAMP, description="When the page was scraped (UTC)."),
        ),
    ),
    Entity(
        source="playback",
        name="events",
        file_format="jsonl",
        key=("event_id",),
        arrival="Event Hubs capture: player telemetry in arrival order, one file per day of enqueued time. Re-deliveries and late events happen.",
        description="Player telemetry events streamed through Event Hubs.",
        fields=(
            Field(
                "event_id", STRING, description="Event identifier (UUID), unique per event; re-deliveries repeat it."
            ),
            Field("session_id", STRING, description="Player session identifier (UUID)."),
            Field("account_id", STRING, description="Account watching."),
            Field("profile_id", STRING, description="Profile watching."),
            Field("title_id", STRING, description="Title played."),
            Field("event_type", STRING, accepted_values=PLAYBACK_EVENT_TYPES, description="Player event."),
            Field("position_ms", INTEGER, description="Playhead position in the title, milliseconds."),
            Field("bitrate_kbps", INTEGER, required=False, description="Current video bitrate, kilobits per second."),
            Field("device", STRING, accepted_values=DEVICES, description="Device class reported by the player."),
            Field("os", STRING, description="Operating system of the device."),
            Field("app_version", STRING, description="Player app version (semver)."),
            Field("cdn", STRING, accepted_values=CDNS, description="CDN serving the stream."),
            Field("country", STRING, description="ISO 3166-1 alpha-2 country from the client's IP."),
            Field(
                "client_ts", TIMESTAMP, description="When the event happened on the client clock (UTC, milliseconds)."
            ),
            Field("enqueued_time", TIMESTAMP, description="When Event Hubs accepted the event (UTC, milliseconds)."),
            Field("partition", INTEGER, description="Event Hubs partition (0-7)."),
            Field("sequence_number", INTEGER, description="Sequence number within the partition."),
        ),
    ),
)


def entity(source: str, name: str) -> Entity:
    for candidate in ENTITIES:
        if candidate.source == source and candidate.name == name:
            return candidate
    raise KeyError(f"no landed entity {source}.{name}")
