"""Where the local stack keeps its state, the ports it listens on, and the environment the app sees."""
import json
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
STAGE = "dev"
REGION = "us-east-1"
# Never reach a real account from the local stack: these would win over (or mix with) the fake keys.
UNSET_ENVIRONMENT = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


@dataclass(frozen=True)
class Options:
    data_dir: Path = ROOT / ".local"  # git-ignored
    port: int = 8000
    moto_port: int = 4566
    dynamodb_port: int = 8001
    fresh: bool = False
    demo: bool = False
    schedule_speed: float = 1.0

    @property
    def dynamodb_dir(self) -> Path:
        return self.data_dir / "dynamodb"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def checkpoints_file(self) -> Path:
        """Stream positions: a restart goes on where the last run stopped (data persists too)."""
        return self.data_dir / "stream-checkpoints.json"

    def url(self, port: int) -> str:
        return f"http://{HOST}:{port}"


def load_secrets(data_dir: Path) -> dict:
    """The dev token secrets: generated once, kept in data_dir (git-ignored) so tokens survive restarts."""
    path = data_dir / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    data_dir.mkdir(parents=True, exist_ok=True)
    values = {"staff_token_secret": secrets.token_urlsafe(32), "customer_token_secret": secrets.token_urlsafe(32)}
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        json.dump(values, file, indent=2)
    return values


@lru_cache(maxsize=1)
def chalice_config():
    """The dev stage of .chalice/config.json, read as `chalice local --stage dev` reads it."""
    from chalice.cli.factory import CLIFactory

    return CLIFactory(str(ROOT)).create_config_obj(chalice_stage_name=STAGE)


def app_environment(options: Options, secret_values: dict) -> dict:
    """Everything the app (and boto3 in this process) needs to talk to the local services only."""
    moto, dynamodb = options.url(options.moto_port), options.url(options.dynamodb_port)
    return {
        **chalice_config().environment_variables,
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "AWS_ENDPOINT_URL": moto,
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb, "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": dynamodb,
        "STAFF_TOKEN_SECRET": secret_values["staff_token_secret"],
        "CUSTOMER_TOKEN_SECRET": secret_values["customer_token_secret"],
        "DEV_ROUTES": "true",
        "MAIL_DIR": str(options.mail_dir),
    }
