"""Real processes for the fault tests: a redis-server of our own, Celery workers we can kill, waiting."""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
import redis

from tests.support.services import free_port

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 30.0


def wait_for(condition: Callable[[], bool], what: str, *logs: Path, timeout: float = TIMEOUT_S) -> None:
    """Polls `condition` until it holds; fails with the tail of the given logs otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    tails = "\n".join(
        f"--- {log.name}:\n{log.read_text(errors='replace')[-3000:]}" for log in logs if log.exists()
    )
    pytest.fail(f"not within {timeout} s: {what}\n{tails}", pytrace=False)


@dataclass
class RedisServer:
    """redis-server on a free port of 127.0.0.1 with the append-only file in `directory`."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.directory),
        ]
        command += ["--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction"]
        try:
            with (self.directory / "redis.log").open("ab") as log:
                self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        except FileNotFoundError:
            pytest.fail(
                "redis-server is not installed; the fault tests start their own (apt install redis-server)"
            )
        client = self.client()
        wait_for(
            lambda: _pings(client),
            f"redis-server on port {self.port} to answer",
            self.directory / "redis.log",
        )
        client.close()

    def stop(self) -> None:
        """A clean shutdown (SIGTERM), as a restart by docker or systemd does: the AOF is flushed."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=2)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@dataclass
class Worker:
    """A `celery worker` subprocess on its own queue; pool "solo" or "prefork" (one child)."""

    env: dict[str, str]
    log_path: Path
    pool: str = "solo"
    concurrency: int = 1
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> "Worker":
        queue = self.env["CELERY_QUEUE"]
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers.celery_app",
            "worker",
            f"--pool={self.pool}",
        ]
        if self.pool == "prefork":
            command.append(f"--concurrency={self.concurrency}")
        command += ["-Q", queue, "-n", f"{queue}@%h", "--loglevel=INFO"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            # A session of its own, so that cleaning up reaches the pool's children too.
            self.process = subprocess.Popen(
                command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_for(
            lambda: " ready." in self.log_path.read_text(errors="replace")[offset:],
            "worker ready",
            self.log_path,
        )
        return self

    def children(self) -> list[int]:
        assert self.process is not None
        return [child.pid for child in psutil.Process(self.process.pid).children()]

    def kill_child(self) -> int:
        """SIGKILLs the pool's (only) child process, as the kernel's out-of-memory killer does."""
        [pid] = self.children()
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill(self) -> None:
        """SIGKILLs the whole worker, children included: nothing gets to acknowledge or requeue."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # warm shutdown
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self.kill()

    def received(self, task_name: str) -> int:
        """How many deliveries of `task_name` the worker log shows (all workers that shared the log)."""
        pattern = rf"Task {re.escape(task_name)}\[[^\]]+\] received"
        return len(re.findall(pattern, self.log_path.read_text(errors="replace")))
