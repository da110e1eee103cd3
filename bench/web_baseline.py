"""The web benchmark's baselines, served by the same gunicorn settings as the portal.

    gunicorn -c deploy/gunicorn.conf.py bench.web_baseline:app

`/` is the bare Flask endpoint the targets are ratios of. `/one-query` is the floor of any page that reads
the database: one indexed lookup (BENCH_DATABASE_URL) through SQLAlchemy's pool, with the portal's pool
settings, and nothing else: no session, no login, no template.
"""
import os

from flask import Flask
from sqlalchemy import create_engine, text

app = Flask(__name__)
_engines = []
ONE_ROW = text("SELECT display_name FROM user_account WHERE id = :id")


@app.route("/")
def hello() -> str:
    return "Hello, World!"


@app.route("/one-query")
def one_query() -> str:
    if not _engines:
        _engines.append(create_engine(os.environ["BENCH_DATABASE_URL"], pool_pre_ping=True))
    with _engines[0].connect() as connection:
        return connection.execute(ONE_ROW, {"id": 1}).scalar() or "-"
