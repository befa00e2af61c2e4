"""bin/prod worker takes its queues from CELERY_QUEUES (a stand-in celery prints the command line)."""
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _worker_args(tmp_path, **env) -> list[str]:
    fake = tmp_path / "venv" / "bin"
    fake.mkdir(parents=True, exist_ok=True)
    (fake / "celery").write_text('#!/bin/sh\necho "$@"\n')
    (fake / "celery").chmod(0o755)
    base = {k: v for k, v in os.environ.items() if k != "CELERY_QUEUES"}
    out = subprocess.run([str(ROOT / "bin" / "prod"), "worker"], env={**base, "IHANOI_VENV": str(tmp_path / "venv"),
                         **env}, capture_output=True, text=True, timeout=30, check=True)
    return out.stdout.split()


class BinProdWorkerTests:
    def test_one_worker_per_queue_group(self, tmp_path):
        args = _worker_args(tmp_path, CELERY_QUEUES="sweeps")
        assert args[args.index("-Q") + 1] == "sweeps"
        args = _worker_args(tmp_path, CELERY_QUEUES="celery,notifications,images")
        assert args[args.index("-Q") + 1] == "celery,notifications,images"

    def test_without_queue_names_the_worker_takes_them_all(self, tmp_path):
        assert "-Q" not in _worker_args(tmp_path)
        assert "-Q" not in _worker_args(tmp_path, CELERY_QUEUES="all")
