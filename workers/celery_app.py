"""Worker and beat entry point: `celery -A workers.celery_app worker` / `beat`."""

from dataclasses import replace

from celery.schedules import crontab

from app import create_app
from app.config import Settings

# Built once per worker process. Tasks never run "in process" here: this process IS the worker, and
# beat must hand its entries to the broker rather than run them itself.
flask_app = create_app(replace(Settings(), tasks_in_process=False))
celery = flask_app.extensions["celery"]
celery.conf.include = ["workers.tasks"]
# Times are Europe/Berlin (the `timezone` setting in app/config.py).
celery.conf.beat_schedule = {
    "relay-unsent-outbox-messages": {"task": "outbox.relay", "schedule": 30.0},
    "rematch-everything-nightly": {"task": "matching.match_all", "schedule": crontab(hour=2, minute=30)},
}
