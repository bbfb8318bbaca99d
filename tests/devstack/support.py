"""`python -m devstack` as a subprocess for tests: free ports, a given data folder, an explicit environment
(this test process's settings stay out), output collected, always killed (Java included)."""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def time_wait_ports() -> set[int]:
    """Local ports of this machine's IPv4 TCP sockets in TIME-WAIT (state 06 of /proc/net/tcp)."""
    ports = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "06":
            ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def leave_time_wait(port: int) -> None:
    """A closed connection whose local end is 127.0.0.1:`port`, left in TIME-WAIT for a minute: what a
    server that closed connections first (moto at shutdown, the app after a `Connection: close`) leaves."""
    with socket.socket() as listener, socket.socket() as connection:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        connection.bind(("127.0.0.1", port))
        connection.connect(listener.getsockname())
        peer, _ = listener.accept()
        connection.shutdown(socket.SHUT_WR)  # this end closes first: it is the one to wait in TIME-WAIT
        peer.recv(1)
        peer.close()
    wait_until(lambda: port in time_wait_ports(), 5, f"port {port} in TIME-WAIT")


def java_processes(marker: str) -> list[int]:
    """DynamoDB Local processes whose command line names this data folder (so: started by that stack)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"DynamoDBLocal.jar" in w for w in words) and any(marker.encode() in w for w in words):
            found.append(int(cmdline.parent.name))
    return found


def wait_until(check, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Stack:
    """One `python -m devstack` subprocess; its output is collected by a thread. `ports` (app, moto,
    DynamoDB Local): those of an earlier stack, to start again on the same ones; free ones otherwise."""

    def __init__(self, data_dir: Path, *args: str, ports: tuple[int, int, int] | None = None):
        self.data_dir = data_dir
        self.port, self.moto_port, self.dynamodb_port = ports or (free_port(), free_port(), free_port())
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "JAVA_HOME", "TMPDIR")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstack", "--data-dir", str(data_dir), "--port", str(self.port),
             "--moto-port", str(self.moto_port), "--dynamodb-port", str(self.dynamodb_port), *args],
            cwd=ROOT, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True).start()
        try:
            wait_until(lambda: self.output_has("Local stack ready") or self.process.poll() is not None, START_TIMEOUT,
                       "the stack to start")
            assert self.process.poll() is None, self.output()
        except BaseException:
            self.kill()
            raise
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_token = next(line.split()[-1] for line in self.lines if "Admin token" in line)

    @property
    def ports(self) -> tuple[int, int, int]:
        return self.port, self.moto_port, self.dynamodb_port

    def output(self) -> str:
        return "".join(self.lines)

    def output_has(self, text: str) -> bool:
        return text in self.output()

    def call(self, method: str, path: str, body=None, token: str | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=15) as reply:
                return reply.status, json.loads(reply.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def client(self, service: str, port: int):
        return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                            aws_access_key_id="local", aws_secret_access_key="local")

    def stop(self, signum: int) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=30)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        for pid in java_processes(str(self.data_dir)):
            os.kill(pid, signal.SIGKILL)
