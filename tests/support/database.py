"""What the app's database reveals to someone who reads it: the raw SQLite file, or every table as text; and the
database URL of a module that runs its tests on both kinds."""

from pathlib import Path

from sqlalchemy import inspect, text

from jumpseller_app.extensions import db


def database_bytes(app):
    """Every byte of the SQLite database, including its write-ahead log."""
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def dump_database(app):
    """Every value of every table, as one text: what a database dump would reveal (SQLite or PostgreSQL)."""
    with app.app_context():
        parts = []
        with db.engine.connect() as conn:
            for table in inspect(conn).get_table_names():
                for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                    parts.append(" ".join(bytes(v).decode("latin-1") if isinstance(v, (bytes, memoryview))
                                          else str(v) for v in row))
        return "\n".join(parts)


def url_of_kind(request, tmp_path, kind):
    """A fresh database of `kind` ("sqlite" or "postgresql") for one test: its SQLAlchemy URL."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database()
