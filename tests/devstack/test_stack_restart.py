"""Stopping and starting the local stack again, at once and on the same ports: nothing left running; data,
secrets and stream position kept."""
import json
import signal
import socket
import subprocess
import sys

from tests.devstack.support import ROOT, Stack, free_port, java_processes, leave_time_wait, wait_until


def register(stack: Stack, email: str) -> None:
    body = {"email": email, "password": "a-long-password", "first_name": "Sam", "last_name": "Park"}
    assert stack.call("POST", "/store/customers", body)[0] == 201


def test_restart_at_once_on_the_same_ports_keeps_the_data_and_leaves_no_java(tmp_path):
    def mail_count() -> int:
        return len(list((tmp_path / "mail").glob("*.eml")))

    first = Stack(tmp_path, "--fresh", "--demo")
    try:
        assert first.output_has("demo customers: 5 created, 0 already there")
        assert first.output_has("demo products: 3 created, 0 already there")
        assert first.output_has("demo orders: 1 created, 0 already there")
        status, listed = first.call("GET", "/admin/customers?limit=200", token=first.admin_token)
        assert status == 200 and "ada.lovelace@example.com" in json.dumps(listed)
        status, orders = first.call("GET", "/admin/orders", token=first.admin_token)
        assert status == 200 and [o["number"] for o in orders["items"]] == [1001]
        # 2 welcome emails for the demo shoppers, 2 for the demo order (received, wire transfer instructions)
        wait_until(lambda: mail_count() == 4, what="the emails of the 2 demo shoppers and the demo order")
        assert java_processes(str(tmp_path))
        assert first.stop(signal.SIGINT) == 0
        assert first.output_has("stopped") and not java_processes(str(tmp_path))
    finally:
        first.kill()

    # When it starts again at once on the same ports, with connections of the last run still in TIME-WAIT
    for port in first.ports:
        leave_time_wait(port)
    second = Stack(tmp_path, "--demo", ports=first.ports)
    try:
        assert second.output_has("demo customers: 0 created, 5 already there")
        assert second.output_has("demo orders: 0 created, 1 already there")
        assert second.call("GET", "/admin/customers?limit=200", token=first.admin_token)[0] == 200  # same secret
        register(second, "sam@example.com")
        # The stream is read in order from where the first run stopped: one new email, no replayed ones.
        wait_until(lambda: mail_count() >= 5, what="the new shopper's email")
        assert mail_count() == 5
        assert second.stop(signal.SIGTERM) == 0
        assert not java_processes(str(tmp_path))
    finally:
        second.kill()


def test_start_on_a_port_something_listens_on_stops_with_a_clear_message(tmp_path):
    # Given a server listening on the port asked for the app (bound with SO_REUSEADDR, as servers are)
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]

        # When the stack starts on it
        command = [sys.executable, "-m", "devstack", "--data-dir", str(tmp_path), "--port", str(port),
                   "--moto-port", str(free_port()), "--dynamodb-port", str(free_port())]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)

    # Then it stops at once, naming the port, and started nothing
    assert done.returncode == 1
    assert f"Port {port} (app) is in use" in done.stderr
    assert not java_processes(str(tmp_path))
