"""CDK entry point. From infra/: npx aws-cdk@2 synth --app "../.venv/bin/python app.py" -c stage=dev
Context: stage (dev|prod, default dev); mail_sender (the SES sender address; required for prod)."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# First on the path: Chalice imports the project's app.py as "app", and this file is also called app.py.
sys.path.insert(0, str(ROOT))

import aws_cdk as cdk  # noqa: E402
from shop_stack import STAGES, ShopStack  # noqa: E402

app = cdk.App()
stage = app.node.try_get_context("stage") or "dev"
if stage not in STAGES:
    raise SystemExit(f"unknown stage {stage!r}: use -c stage={'|'.join(STAGES)}")
mail_sender = app.node.try_get_context("mail_sender") or STAGES[stage].mail_sender
if not mail_sender:
    raise SystemExit(f"stage {stage} needs the SES sender address: -c mail_sender=orders@your-shop.example")
ShopStack(app, STAGES[stage], source_dir=ROOT, mail_sender=mail_sender,
          env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")))
app.synth()
