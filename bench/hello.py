"""The floor for bench/web.py: Flask's hello world, served by the same gunicorn configuration."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    """The smallest Flask page."""
    return "Hello, World!"
