"""`python -m devstack` (make run): the app on the embedded local stack. See --help."""
import argparse
import signal
import sys
from pathlib import Path

from devstack.config import Options


def parse(argv: list[str] | None = None) -> Options:
    defaults = Options()
    parser = argparse.ArgumentParser(
        prog="python -m devstack",
        description="DynamoDB Local + moto (S3, SQS, SES, EventBridge) + the Chalice app + an event pump "
                    "delivering SQS messages, stream records and schedules to the app's handlers. Loopback only.")
    parser.add_argument("--port", type=int, default=defaults.port, help="the app's HTTP port (default %(default)s)")
    parser.add_argument("--moto-port", type=int, default=defaults.moto_port, help="moto's port (default %(default)s)")
    parser.add_argument("--dynamodb-port", type=int, default=defaults.dynamodb_port,
                        help="DynamoDB Local's port (default %(default)s)")
    parser.add_argument("--data-dir", type=Path, default=defaults.data_dir,
                        help="kept between runs: table data, emails, dev secrets (default %(default)s)")
    parser.add_argument("--fresh", action="store_true", help="start with an empty table and mailbox (secrets stay)")
    parser.add_argument("--demo", action="store_true", help="load the demo data set (skips what already exists)")
    parser.add_argument("--fast-schedules", action="store_true",
                        help="run schedules 60 times faster: rate(1 hour) fires every minute")
    args = parser.parse_args(argv)
    return Options(data_dir=args.data_dir.resolve(), port=args.port, moto_port=args.moto_port,
                   dynamodb_port=args.dynamodb_port, fresh=args.fresh, demo=args.demo,
                   schedule_speed=60.0 if args.fast_schedules else 1.0)


def main(argv: list[str] | None = None) -> None:
    options = parse(argv)
    from devstack.stack import Stack

    # Both unwind to the finally below. SIGINT explicitly: a shell starting us with `&` makes it ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    stack = Stack(options)
    try:
        stack.start()
        stack.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
