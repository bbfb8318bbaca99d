"""`python -m devstack.token` (make token): a staff token signed with the local stack's dev secret."""
import argparse
from pathlib import Path

from chalicelib.domain.tokens import STAFF_ROLES, issue_dev_staff_token
from devstack.config import Options, load_secrets


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.token", description=__doc__)
    parser.add_argument("--role", choices=STAFF_ROLES, default="admin")
    parser.add_argument("--subject", help="the staff member's name in the token (default dev-<role>)")
    parser.add_argument("--data-dir", type=Path, default=Options().data_dir,
                        help="where the local stack keeps its secrets (default %(default)s)")
    args = parser.parse_args(argv)
    secret = load_secrets(args.data_dir)["staff_token_secret"]
    print(issue_dev_staff_token(args.subject or f"dev-{args.role}", args.role, secret))


if __name__ == "__main__":
    main()
