"""The event store: what the bot heard, and each user's /lang choice, in SQLite or PostgreSQL.

Every reply to a question, every tap on a suggestion and every 👍/👎 is one row of `events`,
with the time, the question and its language, the matcher's best candidates with their scores
(JSON) and the entry concerned. No Telegram user id or name is stored: an asker is kept only as a
keyed hash (with `Settings.salt`) for counting distinct askers, and a /lang choice under another
keyed hash of the user; without a salt, neither is kept. The editors' ignore marks (questions the
review stops listing) are kept too, with when they were made and a keyed hash of the admin.

`EXPO_BOT_DB` names the database: a SQLite file by default, or a `postgresql://` URL for several
instances sharing one record. The modules:

* `event_log`: `EventLog`, the one interface the rest of the bot uses;
* `model`: the rows and counts as frozen values, and the keyed hashes (pure);
* `schema`: the numbered migrations, one list for both databases;
* `backend`: what a database must offer, and the SQL dialects;
* `sqlite`, `postgres`: the two databases;
* `buffer`: what waits in memory while the database is away;
* `location`: telling a URL from a path, and keeping its password out of messages.
"""

from bot.store.event_log import RETRY_SECONDS, EventLog
from bot.store.location import Location, PostgresUrl, is_postgres_url, parse_location
from bot.store.model import (
    MAX_CANDIDATES,
    MAX_QUERY_CHARS,
    SERVED_KINDS,
    UNANSWERED_KINDS,
    Event,
    EventKind,
    EventLogError,
    IgnoreMark,
    ScoredEntry,
    Stats,
)
from bot.store.schema import LATEST as SCHEMA_VERSION
from bot.store.schema import MIGRATIONS, Migration

__all__ = [
    "MAX_CANDIDATES",
    "MAX_QUERY_CHARS",
    "MIGRATIONS",
    "RETRY_SECONDS",
    "SCHEMA_VERSION",
    "SERVED_KINDS",
    "UNANSWERED_KINDS",
    "Event",
    "EventKind",
    "EventLog",
    "EventLogError",
    "IgnoreMark",
    "Location",
    "Migration",
    "PostgresUrl",
    "ScoredEntry",
    "Stats",
    "is_postgres_url",
    "parse_location",
]
