"""The web benchmark's baseline: a bare Flask endpoint, served by the same gunicorn settings as the portal.

    gunicorn -c deploy/gunicorn.conf.py bench.web_baseline:app
"""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello, World!"
