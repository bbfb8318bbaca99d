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


SECRET_NAMES = ("staff_token_secret", "customer_token_secret", "payment_webhook_secret")


def secrets_file(data_dir: Path) -> Path:
    return data_dir / "secrets.json"


def load_secrets(data_dir: Path) -> dict:
    """The dev secrets (token keys, payment webhook key): each generated once, kept in data_dir
    (git-ignored) so tokens survive restarts. A file from before a secret existed gets it added; the
    values already there are kept."""
    import fcntl

    path = secrets_file(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "secrets.lock", "w") as lock:  # `make token` may run while the stack starts
        fcntl.flock(lock, fcntl.LOCK_EX)
        values = json.loads(path.read_text()) if path.exists() else {}
        missing = [name for name in SECRET_NAMES if not values.get(name)]
        if missing:
            values.update({name: secrets.token_urlsafe(32) for name in missing})
            _write_private(path, values)
    return values


def _write_private(path: Path, values: dict) -> None:
    """Readable by the owner only, replaced in one step (a reader never sees half a file)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.unlink(missing_ok=True)
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        json.dump(values, file, indent=2)
    os.replace(partial, path)


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
        "PAYMENT_WEBHOOK_SECRET": secret_values["payment_webhook_secret"],
        "DEV_ROUTES": "true",
        "MAIL_DIR": str(options.mail_dir),
    }
