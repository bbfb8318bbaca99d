"""The structured JSON logger (powertools). Log ids, routes, statuses and timings: never emails,
phones, addresses, passwords or tokens."""
from aws_lambda_powertools.logging import Logger

logger = Logger(service="shop")
