"""Engine settings per database kind."""

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from .jumpseller import jsonio

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def prepare(config):
    """Engine options for the configured database; creates the folder of a SQLite file."""
    url = config["SQLALCHEMY_DATABASE_URI"]
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(url, config))
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def engine_options(url, config):
    """Pool sizes from the config; SQLite waits for locks instead of failing, as several processes share the file.

    A request thread can hold two connections at once (its ORM session and the token store's short
    transactions), so size the pool at twice the threads per process or more. JSON columns go through orjson
    (jsonio): a sync page writes ~300 KB of it (each product's raw body), the stdlib took ~3 ms of CPU a page.
    """
    options = {"pool_size": int(config.get("DB_POOL_SIZE", 5)), "max_overflow": int(config.get("DB_MAX_OVERFLOW", 10)),
               "json_serializer": jsonio.dumps, "json_deserializer": jsonio.loads}
    if url.startswith("sqlite"):
        return {**options, "connect_args": {"timeout": 30}}
    return {**options, "pool_pre_ping": True}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL lets readers proceed while one process writes; foreign keys are off by default in SQLite.

    synchronous=NORMAL is SQLite's advice for WAL: a commit appends to the log without waiting for the disk, the
    log is synced at checkpoints. A committed write survives the app's crash (the database never corrupts); only a
    power cut or OS crash may roll back the last commits. FULL syncs on every commit, which halves the hook
    receiver's rate on its own and makes every other writer wait the longer for the file's one write lock.
    """
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
