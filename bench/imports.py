"""Customer and order imports on DynamoDB Local: how fast a merchant's file becomes customers and
orders, against doing the same one by one through the services, and against the engine's ceiling.

One DynamoDB Local (in memory, one instance: "one writer") and moto's server for S3 and SQS, as the
other benches (bench/harness.py). The job handler runs in a child process, as its own Lambda would:
it takes the job's messages from the jobs queue (hand-overs included) and calls `run_jobs` with a
900-second Lambda context (the function's timeout); its peak RSS is its VmHWM (not `ru_maxrss`,
which Linux carries over an exec: a child of this process would start at this process's peak). Items written
are counted on the wire (botocore hooks on every DynamoDB client, PynamoDB's included): each Put,
Update or Delete that DynamoDB accepted, in a transaction or a batch (UnprocessedItems left out).

From one generated Shopify customer export (fixed seed: names with accents, emails, phones,
addresses, tags; 1.5% of the rows repeat an earlier email in another case, 1.5% have no valid email):
1. rows/s of the import (job finished: every row's customer and email guard committed) vs a loop
   creating a sample of the same rows through services.customers.create_customer;
2. items/s of everything the import causes, search entries included, from the job's first step
   until the last imported customer is found by search: this process feeds the table's real stream
   records to the `table_changed` handler while the job runs (the stream's Lambda, concurrently),
   vs the engine's raw BatchWriteItem ceiling measured afterwards with copies of 1 in 16 of the items
   written (same attributes, same sizes, index keys included);
3. peak RSS of the job handler's process (10,000 rows here; N rows with --large);
5. orders/s of an order history import (Shopify order export, the customers above, some guests) vs
   services.orders.create_manual_order one by one on a sample of the same orders, both on a warmed-up
   engine (--warm-up N: another file of N orders imported, and N/10 placed one by one, first: a fresh
   DynamoDB Local's JIT compiler takes half its CPU during a first import); and the engine's floor for
   the items the import wrote: DynamoDB Local writes one request at a time, so its time per item (in a
   transaction, in a batch) times the items an imported order writes bounds the rate whatever the client.
   --latency-ms N holds every AWS request of both sides (and of the job's process) N ms before it is sent:
   DynamoDB Local answers in a fraction of a millisecond, where AWS answers GetItem and PutItem in single-
   digit milliseconds on average, so a one-by-one loop, which waits for each of its requests in turn, is
   measured here far faster than it runs in AWS. A model, not a measurement of AWS: it is reported beside
   the bare figure, never instead of it. The ceiling's and the floor's own requests are not held: under
   the model only the import-against-one-by-one ratios compare like with like.
--large N runs, after those and in a fresh table (its own DynamoDB Local), N rows with the
invocation budget forced to 5 s (JOB_STEP_BUDGET_SECONDS): hand-overs counted, counts exact, no
duplicate (profiles = email guards = distinct emails), and point 3 for N rows.

    .venv/bin/python bench/imports.py [--rows 10000] [--orders 5000] [--warm-up 1000] [--latency-ms 5]
                                      [--large 100000]
"""
import argparse
import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import harness

JOBS_QUEUE = "shop-jobs"
BUCKETS = ("shop-imports", "shop-documents", "shop-reports")
SAMPLE_ONE_IN = 16  # items copied for the ceiling: those whose key hashes to 0 modulo this
LAMBDA_TIMEOUT_MS = 900_000  # run_jobs' timeout (.chalice/config.json)
STREAM_BATCH = 50  # table_changed's batch size (chalicelib/events/handlers.py)
LATENCY_ENV = "BENCH_AWS_LATENCY_MS"  # --latency-ms, passed on to the job's process

# --- the merchant's files ----------------------------------------------------------------------------

FIRST_NAMES = (
    "Léa", "Chloé", "Zoë", "Anaïs", "Hélène", "François", "Noémie", "Jérôme", "Søren", "Åsa", "Björn", "Jörg",
    "Jürgen", "Märta", "Łukasz", "Małgorzata", "Agnieszka", "Piotr", "Zoltán", "Ágnes", "Dóra", "Ólafur",
    "Sigríður", "Þórður", "Ægir", "Đorđe", "Nikola", "Iñaki", "Begoña", "María", "José", "Nuño", "João",
    "Conceição", "Gonçalo", "Çağla", "Ömer", "Gülşen", "Siobhán", "Seán", "Niamh", "Anna", "Emma", "Lucas",
    "Hugo", "Louis", "Mia", "Noah", "Elias", "Luca", "Giulia", "Matteo", "Sofía", "Pablo", "Kai", "Ingrid",
    "Mikael", "Ülle", "Tomáš", "Kateřina", "Dvořák",
)
LAST_NAMES = (
    "Müller", "Schröder", "Weiß", "Groß", "Dubois", "Lefèvre", "Moreau", "Girard", "García", "Núñez",
    "Fernández", "Martínez", "Kowalski", "Wiśniewski", "Nowak", "Wójcik", "Søndergaard", "Ødegaard",
    "Ångström", "Björklund", "Lindqvist", "Nguyễn", "Đặng", "O'Brien", "Ó Súilleabháin", "Kovačević",
    "Horváth", "Szabó", "Novák", "Černý", "Papadopoulos", "Rossi", "Bianchi", "Esposito", "Jensen",
    "Hansen", "Sigurðsson", "Jónsdóttir", "Çelik", "Öztürk", "Gonçalves", "Magalhães", "Smith",
    "Martin", "Bernard", "Petit", "Schmidt", "Fischer", "Meyer", "Van der Berg", "De Smet", "Peeters",
    "Lambert", "Costa", "Ferrari", "Romano", "Marić", "Jovanović", "Ivanova", "Petrova",
)
DOMAINS = ("gmail.com", "outlook.com", "web.de", "gmx.de", "orange.fr", "free.fr", "libero.it", "wp.pl",
           "yahoo.es", "telia.se", "hotmail.co.uk", "icloud.com", "proton.me", "seznam.cz", "t-online.de")
# country code, (city, province code, zip), streets, phone prefix and digits after it
PLACES = (
    ("FR", (("Paris", "", "75011"), ("Lyon", "", "69002"), ("Marseille", "", "13001"), ("Nantes", "", "44000")),
     ("rue de la République", "avenue Jean-Jaurès", "boulevard Saint-Michel", "rue du Faubourg Saint-Honoré"),
     "+336", 8),
    ("DE", (("Berlin", "BE", "10115"), ("München", "BY", "80331"), ("Köln", "NW", "50667"), ("Hamburg", "HH", "20095")),
     ("Hauptstraße", "Schloßallee", "Königstraße", "Am Mühlenbach"), "+49151", 8),
    ("ES", (("Madrid", "M", "28001"), ("Barcelona", "B", "08001"), ("Sevilla", "SE", "41001")),
     ("Calle Mayor", "Avenida de la Constitución", "Calle de Alcalá", "Plaça de Catalunya"), "+346", 8),
    ("IT", (("Roma", "RM", "00184"), ("Milano", "MI", "20121"), ("Napoli", "NA", "80132")),
     ("Via Roma", "Corso Vittorio Emanuele II", "Via dei Mille", "Piazza Garibaldi"), "+39347", 7),
    ("PL", (("Warszawa", "", "00-001"), ("Kraków", "", "31-001"), ("Łódź", "", "90-001")),
     ("ulica Długa", "ulica Piotrkowska", "aleja Jerozolimskie", "ulica Świętokrzyska"), "+48601", 6),
    ("SE", (("Stockholm", "", "111 22"), ("Göteborg", "", "411 01"), ("Malmö", "", "211 20")),
     ("Storgatan", "Drottninggatan", "Kungsgatan", "Västra Hamngatan"), "+4670", 7),
    ("DK", (("København", "", "1050"), ("Aarhus", "", "8000"), ("Odense", "", "5000")),
     ("Nørrebrogade", "Østergade", "Vesterbrogade", "Strøget"), "+4520", 6),
    ("IS", (("Reykjavík", "", "101"), ("Akureyri", "", "600")), ("Laugavegur", "Skólavörðustígur", "Hafnarstræti"),
     "+354", 7),
    ("HU", (("Budapest", "", "1051"), ("Debrecen", "", "4024")), ("Váci utca", "Andrássy út", "Király utca"),
     "+3620", 7),
    ("CZ", (("Praha", "", "110 00"), ("Brno", "", "602 00")), ("Národní", "Vodičkova", "Masarykova"), "+420601", 6),
    ("GB", (("London", "", "SW1A 1AA"), ("Manchester", "", "M1 1AE"), ("Edinburgh", "", "EH1 1YZ")),
     ("High Street", "Station Road", "Church Lane", "Victoria Road"), "+447700", 6),
    ("US", (("New York", "NY", "10001"), ("Austin", "TX", "78701"), ("Portland", "OR", "97201")),
     ("Main Street", "Oak Avenue", "Maple Drive", "Broadway"), "+1212", 7),
)
SECOND_LINES = ("Apt 4", "2. OG", "Bâtiment B", "Escalera 3, 2º", "c/o Müller", "Suite 210")
COMPANIES = ("Müller & Söhne GmbH", "Ateliers Lefèvre SARL", "Nørgaard ApS", "Łódź Design Sp. z o.o.", "ACME, Inc.")
TAGS = ("vip", "wholesale", "newsletter", "b2b", "returning", "black friday 2025", "instagram", "retail")
NOTES = ("Prefers deliveries after 10 am.", "Line one\nline two", "Allergic to nuts; gift wrap always.",
         "Ancien client du magasin de Lyon.")
CUSTOMER_COLUMNS = (
    "Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing", "Default Address Company",
    "Default Address Address1", "Default Address Address2", "Default Address City", "Default Address Province Code",
    "Default Address Country Code", "Default Address Zip", "Default Address Phone", "Phone", "Accepts SMS Marketing",
    "Total Spent", "Total Orders", "Note", "Tax Exempt", "Tags")


@dataclass
class Person:
    first: str
    last: str
    email: str
    phone: str
    country: str


@dataclass
class CustomerFile:
    body: bytes
    rows: int
    created: int  # distinct valid emails
    updated: int  # rows repeating an earlier email (in another case)
    rejected: int  # rows without a valid email
    people: list[Person] = field(default_factory=list)  # one per created customer, in file order
    new_rows: list[dict] = field(default_factory=list)  # the rows that create them (for the naive loop)


def _ascii(text: str) -> str:
    from anyascii import anyascii

    return "".join(ch for ch in anyascii(text).lower() if ch.isalnum())


def customers_file(rows: int, seed: int) -> CustomerFile:
    """A Shopify customer export (the current headers), as a merchant downloads it."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CUSTOMER_COLUMNS)
    made = CustomerFile(b"", rows, 0, 0, 0)
    for n in range(rows):
        roll = rng.random()
        country, cities, streets, prefix, digits = rng.choice(PLACES)
        city, region, zip_code = rng.choice(cities)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        phone = prefix + "".join(rng.choice("0123456789") for _ in range(digits))
        if roll < 0.010:
            email = ""  # no email: rejected
            made.rejected += 1
        elif roll < 0.015:
            email = f"{_ascii(first)}.{_ascii(last)} at {rng.choice(DOMAINS)}"  # not an email: rejected
            made.rejected += 1
        elif roll < 0.030 and made.people:
            person = rng.choice(made.people)  # the same customer again, in another case: an update
            first, last, email = person.first, person.last, person.email.upper()
            made.updated += 1
        else:
            email = f"{_ascii(first)}.{_ascii(last)}{n}@{rng.choice(DOMAINS)}"
            made.created += 1
            made.people.append(Person(first, last, email, phone, country))
        row = {
            "Customer ID": f"'{7_000_000_000 + n}", "First Name": first, "Last Name": last, "Email": email,
            "Accepts Email Marketing": rng.choice(("yes", "no")),
            "Default Address Company": rng.choice(COMPANIES) if rng.random() < 0.1 else "",
            "Default Address Address1": f"{rng.randint(1, 300)} {rng.choice(streets)}",
            "Default Address Address2": rng.choice(SECOND_LINES) if rng.random() < 0.15 else "",
            "Default Address City": city, "Default Address Province Code": region,
            "Default Address Country Code": country, "Default Address Zip": f"'{zip_code}",
            "Default Address Phone": f"'{phone}", "Phone": f"'{phone}" if rng.random() < 0.8 else "",
            "Accepts SMS Marketing": rng.choice(("yes", "no")), "Total Spent": f"{rng.randint(0, 500_000) / 100:.2f}",
            "Total Orders": str(rng.randint(0, 40)), "Note": rng.choice(NOTES) if rng.random() < 0.05 else "",
            "Tax Exempt": rng.choice(("yes", "no")), "Tags": ", ".join(rng.sample(TAGS, rng.randint(0, 3))),
        }
        if made.people and made.people[-1].email == email:
            made.new_rows.append(row)
        writer.writerow([row[column] for column in CUSTOMER_COLUMNS])
    made.body = out.getvalue().encode("utf-8")
    return made


ORDER_COLUMNS = (
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Currency", "Subtotal", "Shipping", "Taxes",
    "Total", "Discount Code", "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity", "Lineitem name",
    "Lineitem price", "Lineitem sku", "Billing Name", "Billing Country", "Shipping Country", "Cancelled at",
    "Payment Method", "Refunded Amount", "Id")
PRODUCT_WORDS = (("Enamel", "Stoneware", "Linen", "Oak", "Wool", "Copper", "Organic", "Smoked"),
                 ("mug", "teapot", "tea towel", "chopping board", "blanket", "kettle", "Assam tea", "candle"))
GATEWAYS = (("Shopify Payments", "card"), ("PayPal Express Checkout", "paypal"), ("Bank Deposit", "wire_transfer"))
METHODS = (("Standard", "standard", 490), ("DHL Express", "express", 990))


@dataclass
class PlannedOrder:
    """One order of the file, as create_manual_order takes it."""

    ref: str
    email: str
    first: str
    last: str
    guest: bool
    lines: list[tuple[str, int, int]]  # sku, quantity, unit price
    payment_method: str
    delivery_method: str
    shipping: int
    discount: int
    placed_at: datetime


def catalogue(seed: int) -> list[tuple[str, str, int]]:
    rng = random.Random(seed)
    names = [f"{a} {b}" for a in PRODUCT_WORDS[0] for b in PRODUCT_WORDS[1]]
    return [(f"SKU-{n:04d}", name, rng.randint(3, 120) * 50) for n, name in enumerate(names)]


def orders_file(count: int, people: list[Person], products: list[tuple[str, str, int]], seed: int, first_number: int = 10001
                ) -> tuple[bytes, list[PlannedOrder], int]:
    """A Shopify order export: one row per line, the order's fields on its first line. 90% of the
    orders are the customers' (by email), 10% guests'. Order names count from `first_number`. Returns the
    file, its orders and its rows."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ORDER_COLUMNS)
    planned, rows = [], 0
    start = datetime(2025, 1, 1, 8, tzinfo=UTC)
    for n in range(count):
        if rng.random() < 0.9:
            person, guest = rng.choice(people), False
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            person, guest = Person(first, last, f"{_ascii(first)}.{_ascii(last)}.g{n}@{rng.choice(DOMAINS)}", "", "FR"), True
        gateway, payment = rng.choice(GATEWAYS)
        shipping_word, delivery, fee = rng.choice(METHODS)
        lines = [(sku, rng.randint(1, 3), price) for sku, _, price in rng.sample(products, rng.randint(1, 4))]
        subtotal = sum(q * p for _, q, p in lines)
        shipping = 0 if subtotal >= 5000 else fee
        discount = 500 if rng.random() < 0.1 and subtotal > 1000 else 0
        placed = start + timedelta(minutes=rng.randint(0, 60 * 24 * 330))
        order = PlannedOrder(f"#{first_number + n}", person.email, person.first, person.last, guest, lines, payment, delivery,
                             shipping, discount, placed)
        planned.append(order)
        moment = placed.astimezone().strftime("%Y-%m-%d %H:%M:%S %z")
        names = {sku: name for sku, name, _ in products}
        for k, (sku, quantity, price) in enumerate(lines):
            head = k == 0
            total = subtotal + shipping - discount
            writer.writerow([
                order.ref, person.email, "paid" if head else "", moment if head else "", "fulfilled" if head else "",
                "EUR" if head else "", f"{subtotal / 100:.2f}" if head else "", f"{shipping / 100:.2f}" if head else "",
                "0.00" if head else "", f"{total / 100:.2f}" if head else "", "WELCOME5" if head and discount else "",
                f"{discount / 100:.2f}" if head else "", shipping_word if head else "", moment, quantity, names[sku],
                f"{price / 100:.2f}", sku, f"{person.first} {person.last}" if head else "", person.country if head else "",
                person.country if head else "", "", gateway if head else "", "0.00" if head else "", 5_000_000 + n])
            rows += 1
    return out.getvalue().encode("utf-8"), planned, rows


# --- counting what DynamoDB wrote ---------------------------------------------------------------------

_NAMES = (("SEARCH#", "", "search entries"), ("ADDRSEARCH#", "", "address search entries"), ("", "TAG#", "tag items"),
          ("CUST#", "PROFILE#ORDER#", "order cards"), ("CUST#", "PROFILE", "profiles"), ("EMAIL#", "", "email guards"),
          ("CUST#", "EVT#", "timeline events"), ("CUST#", "ADDR#", "addresses"), ("EXTID#", "", "external ids"),
          ("JOB#", "", "job item, row errors"), ("ORDER#", "ORDER", "orders"), ("ORDER#", "EVT#", "order events"))


def category(pk: str, sk: str) -> str:
    for pk_prefix, sk_prefix, name in _NAMES:
        if pk.startswith(pk_prefix) and sk.startswith(sk_prefix):
            return name
    sk_kind = sk.split("#")[0]
    return f"{pk.split('#')[0]}#/{sk_kind if sk_kind.isalpha() else '...'}"


class Writes:
    """Items DynamoDB accepted, by kind, counted on the wire in this process (boto3's default session
    and PynamoDB's clients), and 1 in SAMPLE_ONE_IN of the items put, appended to `sample_path`."""

    def __init__(self, sample_path: str | None = None):
        import boto3
        from pynamodb.signals import pre_dynamodb_send

        self.items: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self.items_by_request: Counter[str] = Counter()  # items written, by the request that wrote them
        self.put_bytes = self.puts = 0
        self._lock = threading.Lock()
        self._sample = open(sample_path, "a", encoding="utf-8") if sample_path else None  # noqa: SIM115 (closed at exit)
        pre_dynamodb_send.connect(self._attach)
        boto3.setup_default_session()
        self._register(boto3.DEFAULT_SESSION.events)

    def _attach(self, connection, **_):
        self._register(connection.client.meta.events)

    def _register(self, events):
        events.register("provide-client-params.dynamodb", self._params, unique_id="bench-imports-params")
        events.register("after-call.dynamodb", self._answered, unique_id="bench-imports-writes")
        if float(os.environ.get(LATENCY_ENV) or 0):
            events.register("before-send", self._held, unique_id="bench-imports-latency")

    @staticmethod
    def _held(**_):
        """--latency-ms: the request waits as it would on the network to AWS (then is sent as usual)."""
        time.sleep(float(os.environ[LATENCY_ENV]) / 1000)

    @staticmethod
    def _params(params, context, **_):
        context["bench_params"] = params

    def _answered(self, http_response, parsed, model, context, **_):
        params = context.get("bench_params") or {}
        with self._lock:
            self.requests[model.name] += 1
            if http_response.status_code != 200:
                return
            for kind, item, key in self._written(model.name, params, parsed):
                self.items_by_request[model.name] += 1
                self.items[category(key["PK"]["S"], key["SK"]["S"]) if kind != "unmark" else "index marks cleared"] += 1
                if item is not None:
                    self._put(item)

    @staticmethod
    def _written(operation: str, params: dict, parsed: dict):
        """(kind, item put or None, key) of each item written."""
        if operation == "PutItem":
            yield "put", params["Item"], params["Item"]
        elif operation in ("UpdateItem", "DeleteItem"):
            unmark = params.get("UpdateExpression") == "REMOVE #p" and \
                params.get("ExpressionAttributeNames", {}).get("#p") == "index_pending"
            yield "unmark" if unmark else "write", None, params["Key"]
        elif operation == "BatchWriteItem":
            for table, requests in params["RequestItems"].items():
                left = {json.dumps(r, sort_keys=True) for r in parsed.get("UnprocessedItems", {}).get(table, [])}
                for request in requests:
                    if left and json.dumps(request, sort_keys=True) in left:
                        continue
                    if "PutRequest" in request:
                        yield "put", request["PutRequest"]["Item"], request["PutRequest"]["Item"]
                    else:
                        yield "write", None, request["DeleteRequest"]["Key"]
        elif operation == "TransactWriteItems":
            for entry in params["TransactItems"]:
                if "Put" in entry:
                    yield "put", entry["Put"]["Item"], entry["Put"]["Item"]
                elif "Update" in entry or "Delete" in entry:
                    yield "write", None, (entry.get("Update") or entry["Delete"])["Key"]

    def _put(self, item: dict) -> None:
        line = json.dumps(item, ensure_ascii=False)
        self.puts += 1
        self.put_bytes += len(line.encode())
        if self._sample and zlib.crc32((item["PK"]["S"] + "|" + item["SK"]["S"]).encode()) % SAMPLE_ONE_IN == 0:
            self._sample.write(line + "\n")

    def take(self) -> dict:
        with self._lock:
            taken = {"items": dict(self.items), "requests": dict(self.requests), "puts": self.puts,
                     "put_bytes": self.put_bytes, "items_by_request": dict(self.items_by_request)}
            self.items, self.requests, self.items_by_request = Counter(), Counter(), Counter()
            self.puts = self.put_bytes = 0
            if self._sample:
                self._sample.flush()
            return taken


# --- the job handler's process -----------------------------------------------------------------------

def sqs_record(message: dict) -> dict:
    return {"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": str(int(time.time() * 1000)),
                           "SenderId": "bench", "ApproximateFirstReceiveTimestamp": str(int(time.time() * 1000))},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{JOBS_QUEUE}", "awsRegion": "us-east-1"}


def peak_rss_kb() -> int:
    """This process's peak resident set since its exec (kB)."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def worker(job_id: str, report: str, sample: str | None) -> None:
    """Run the job's messages as the jobs queue's Lambda would (one message per invocation, hand-overs
    included) until the job ends; write what it took to `report`."""
    writes = Writes(sample)
    import boto3
    from chalice.local import LambdaContext

    from app import app
    from chalicelib.domain.jobs import FINISHED
    from chalicelib.store import jobs as job_repo

    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=JOBS_QUEUE)["QueueUrl"]
    handler = app.handler_map["run_jobs"]
    rss_before = peak_rss_kb()
    messages = handoffs = 0
    first = None
    while True:
        reply = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1, VisibilityTimeout=900)
        if not reply.get("Messages"):
            job = job_repo.get(job_id)
            if job is not None and job.status in FINISHED:
                break
            continue
        message = reply["Messages"][0]
        first = first or time.time()
        messages += 1
        handoffs += json.loads(message["Body"]).get("token", "").startswith("handoff:")
        answer = handler({"Records": [sqs_record(message)]}, LambdaContext("run_jobs", 1024, LAMBDA_TIMEOUT_MS))
        if answer.get("batchItemFailures"):
            raise SystemExit(f"the job's invocation failed: {answer}")
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    ended = time.time()
    Path(report).write_text(json.dumps({
        "first_message_at": first, "ended_at": ended, "messages": messages, "handoffs": handoffs,
        "rss_before_kb": rss_before, "rss_peak_kb": peak_rss_kb(),
        "job": asdict(job), **writes.take()}))


def run_worker(job_id: str, sample: str | None, extra_env: dict | None = None) -> subprocess.Popen:
    report = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name  # noqa: SIM115 (a path for the child)
    command = [sys.executable, __file__, "--worker", job_id, "--report", report, *(["--sample-file", sample] if sample else [])]
    process = subprocess.Popen(command, env={**os.environ, **(extra_env or {})}, cwd=harness.ROOT)
    process.report = report  # type: ignore[attr-defined]
    return process


def worker_report(process: subprocess.Popen) -> dict:
    if process.wait() != 0:
        raise SystemExit(f"the job's process failed ({process.returncode})")
    return json.loads(Path(process.report).read_text())  # type: ignore[attr-defined]


# --- the steps a merchant takes, and the stream --------------------------------------------------------

def drop(key: str, body: bytes) -> str:
    """Put the file into the imports bucket and deliver S3's notification; returns the job's id."""
    import boto3

    from chalicelib.store import jobs as job_repo
    from tests.support.imports import announce, notification

    etag = boto3.client("s3").put_object(Bucket="shop-imports", Key=key, Body=body)["ETag"]
    assert announce(notification(key, etag)) == {"batchItemFailures": []}
    job = next(j for j in job_repo.list_page("imports", 50, None).items if j.source == key)
    assert job.status == "queued" and job.preset, (job.status, job.preset, job.message)
    return job.id


class StreamReader:
    """The table's stream, read as Lambda's poller reads it for the function: shard by shard, from
    where it stood when made, records as JSON (the SDK's parsing of 60 records per customer would
    cost this process more than the handler does; the poller is not the function's work)."""

    def __init__(self):
        import boto3
        import urllib3

        from chalicelib.settings import get_settings

        self.url = os.environ["AWS_ENDPOINT_URL_DYNAMODB"] + "/"
        self.credentials = boto3.Session().get_credentials().get_frozen_credentials()
        self.http = urllib3.PoolManager()
        self.source_arn = get_settings().table_stream_arn
        table = self._call("DynamoDB_20120810.DescribeTable", {"TableName": harness.TABLE_NAME})
        self.arn = table["Table"]["LatestStreamArn"]
        self.positions: dict[str, str] = {}
        self.read()  # what is there already is not the import's

    def _call(self, target: str, body: dict) -> dict:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        data = json.dumps(body).encode()
        request = AWSRequest("POST", self.url, data=data, headers={
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target})
        SigV4Auth(self.credentials, "dynamodb", "us-east-1").add_auth(request)
        reply = self.http.request("POST", self.url, body=data, headers=dict(request.headers.items()))
        if reply.status != 200:
            raise RuntimeError(f"{target}: {reply.status} {reply.data[:300]!r}")
        return json.loads(reply.data)

    def read(self) -> list[dict]:
        """Every record written since the last read, oldest first (shards in creation order)."""
        records = []
        stream = self._call("DynamoDBStreams_20120810.DescribeStream", {"StreamArn": self.arn})["StreamDescription"]
        for shard in stream["Shards"]:
            shard_id, after = shard["ShardId"], self.positions.get(shard["ShardId"])
            where = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after} if after else \
                {"ShardIteratorType": "TRIM_HORIZON"}
            iterator = self._call("DynamoDBStreams_20120810.GetShardIterator",
                                  {"StreamArn": self.arn, "ShardId": shard_id, **where})["ShardIterator"]
            while iterator:
                reply = self._call("DynamoDBStreams_20120810.GetRecords", {"ShardIterator": iterator, "Limit": 1000})
                for record in reply["Records"]:
                    record["eventSourceARN"] = self.source_arn
                    self.positions[shard_id] = record["dynamodb"]["SequenceNumber"]
                records += reply["Records"]
                if not reply["Records"]:
                    break
                iterator = reply.get("NextShardIterator")
        return records


class Stream:
    """The table's real stream, fed to the `table_changed` handler in batches of its batch size."""

    def __init__(self):
        from chalice.local import LambdaContext

        from app import app

        self.reader = StreamReader()
        self.handler = app.handler_map["table_changed"]
        self.context = lambda: LambdaContext("table_changed", 1024, LAMBDA_TIMEOUT_MS)
        self.records = 0
        self.handler_seconds = 0.0

    def deliver(self) -> int:
        """Deliver what was written since the last call, as the event-source filter passes it (infra:
        derived items' records never reach the function); returns how many records."""
        from chalicelib.store.changes import watched

        records = [record for record in self.reader.read() if watched(record)]
        started = time.perf_counter()
        for start in range(0, len(records), STREAM_BATCH):
            answer = self.handler({"Records": records[start:start + STREAM_BATCH]}, self.context())
            if (answer or {}).get("batchItemFailures"):
                raise SystemExit(f"the stream handler failed: {answer}")
        self.handler_seconds += time.perf_counter() - started
        self.records += len(records)
        return len(records)


def found_by_search(person: Person) -> bool:
    """Whether staff searching the customer's name find them (every page read, as staff would page)."""
    from chalicelib.domain.customer_inputs import CustomerQuery
    from chalicelib.services import customers

    token = None
    while True:
        page = customers.list_customers(CustomerQuery(q=f"{person.first} {person.last}", limit=100, next_token=token))
        if any(c.email.lower() == person.email.lower() for c in page.items):
            return True
        token = page.next_token
        if token is None:
            return False


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def total(items: dict) -> int:
    return sum(items.values())


def per_kind(items: dict, per: int) -> str:
    return ", ".join(f"{name} {count / per:.2f}" for name, count in sorted(items.items(), key=lambda kv: -kv[1]))


# --- 1 and 2: the customer import, with the stream ---------------------------------------------------

def import_customers(made: CustomerFile, writes: Writes, sample: str) -> dict:
    """The file dropped, the job run to its end by its own process; then the stream's records fed to
    its handler until none is left and the last customer of the file is found by search."""
    stream = Stream()
    job_id = drop("Shopify customers.csv", made.body)
    writes.take()
    ran = worker_report(run_worker(job_id, sample))
    load_after_job = load()
    while stream.deliver():
        pass
    drained = time.time()
    found = found_by_search(made.people[-1])
    return {"job": ran, "stream": writes.take(), "stream_records": stream.records, "handler_seconds": stream.handler_seconds,
            "drained_at": drained, "searchable_at": time.time(), "found": found, "load_after_job": load_after_job}


def pending_left() -> int:
    """Profiles and addresses still waiting for their entries (a bench-side Scan, never the app's way)."""
    import boto3

    client = boto3.Session().client("dynamodb")
    left = 0
    for page in client.get_paginator("scan").paginate(
            TableName=harness.TABLE_NAME, Select="COUNT", FilterExpression="attribute_exists(index_pending)"):
        left += page["Count"]
    return left


def naive_customers(new_rows: list[dict], sample: int, writes: Writes) -> dict:
    """Rows of the file, one by one through the service staff use (its own transaction each: profile,
    guard, search entries, tags, event), under emails of their own."""
    from chalicelib.domain.customer_inputs import CustomerDraft
    from chalicelib.services import customers

    step = max(1, len(new_rows) // sample)
    rows = new_rows[::step][:sample + 1]
    drafts = []
    for row in rows:
        local, _, domain = row["Email"].partition("@")
        drafts.append(CustomerDraft(
            email=f"naive.{local}@{domain}", first_name=row["First Name"], last_name=row["Last Name"],
            phone=row["Phone"].lstrip("'") or None, company=row["Default Address Company"] or None,
            accepts_marketing=row["Accepts Email Marketing"] == "yes", comment=row["Note"],
            tags=[t.strip() for t in row["Tags"].split(",") if t.strip()]))
    warm_up = drafts.pop()  # modules loaded and models built before the clock starts
    customers.create_customer(warm_up, "staff:bench")
    writes.take()
    started = time.perf_counter()
    for draft in drafts:
        customers.create_customer(draft, "staff:bench")
    seconds = time.perf_counter() - started
    return {"customers": len(drafts), "seconds": seconds, **writes.take()}


def ceiling(sample: str, threads: int, tag: str, limit: int = 30_000) -> dict:
    """Raw BatchWriteItem: copies of the sampled items under keys of their own (mark removed), 25 per
    request, `threads` requests at once, UnprocessedItems sent again; a client without hooks."""
    import boto3

    items = {}
    with open(sample, encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            item.pop("index_pending", None)
            item["PK"] = {"S": f"CEIL{tag}#{item['PK']['S']}"}
            items[(item["PK"]["S"], item["SK"]["S"])] = item
    copies = list(items.values())[:limit]
    batches = [copies[i:i + 25] for i in range(0, len(copies), 25)]
    client = boto3.Session().client("dynamodb")

    def write(batch: list[dict]) -> None:
        pending = {harness.TABLE_NAME: [{"PutRequest": {"Item": item}} for item in batch]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(write, batches))
    seconds = time.perf_counter() - started
    size = sum(len(json.dumps(item, ensure_ascii=False).encode()) for item in copies) / max(1, len(copies))
    return {"threads": threads, "items": len(copies), "seconds": seconds, "per_second": len(copies) / seconds,
            "mean_bytes": size}


# --- 5: orders ----------------------------------------------------------------------------------------

def add_products(products: list[tuple[str, str, int]]) -> None:
    from chalicelib.domain.clock import utc_now
    from chalicelib.domain.products import Product, ProductStatus
    from chalicelib.store import products as repo

    now = utc_now()
    for sku, name, price in products:
        repo.create(Product(sku=sku, name=name, price=price, status=ProductStatus.ACTIVE, created_at=now, updated_at=now))


def naive_orders(planned: list[PlannedOrder], writes: Writes) -> dict:
    """The same orders through the service staff use for a phone order (back-dated by an admin)."""
    from chalicelib.domain.order_inputs import OrderDraft
    from chalicelib.store import customer_bulk

    guards = customer_bulk.guards([o.email for o in planned if not o.guest])
    drafts = []
    for order in planned:
        buyer = {"guest": {"email": order.email, "first_name": order.first, "last_name": order.last}} if order.guest \
            else {"customer_id": guards[order.email.lower()].customer_id}
        drafts.append(OrderDraft.model_validate({
            **buyer, "lines": [{"sku": sku, "quantity": q, "unit_price": p} for sku, q, p in order.lines],
            "payment_method": order.payment_method, "delivery_method": order.delivery_method,
            "shipping": order.shipping, "placed_at": order.placed_at,
            **({"discount": {"kind": "fixed", "value": order.discount}} if order.discount else {})}))
    from chalicelib.services import orders

    warm_up = drafts.pop()  # modules loaded and models built before the clock starts
    orders.create_manual_order(warm_up, "staff:bench", may_backdate=True)
    writes.take()
    started = time.perf_counter()
    for draft in drafts:
        orders.create_manual_order(draft, "staff:bench", may_backdate=True)
    seconds = time.perf_counter() - started
    return {"orders": len(drafts), "seconds": seconds, **writes.take()}


def engine_write_costs(rounds: int = 20) -> dict:
    """What DynamoDB Local takes to write one item, in a 99-item TransactWriteItems (conditioned puts)
    and in 25-item BatchWriteItems, on the warm engine, with items shaped as an order's (~600 bytes, the
    four index keys); and whether it writes two clients' transactions at once (`overlap`: the time of
    the same transactions sent by one thread, over their time sent by two; 1.0 = one at a time)."""
    import boto3

    client = boto3.Session().client("dynamodb")
    made = iter(range(10**9))

    def item() -> dict:
        key = f"FLOOR#{next(made):09d}"
        return {"PK": {"S": key}, "SK": {"S": "ORDER"}, "data": {"S": "x" * 600},
                **{f"GSI{i}{part}": {"S": f"FLOOR{i}#{key}"} for i in range(1, 5) for part in ("PK", "SK")}}

    def transaction() -> None:
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": harness.TABLE_NAME, "Item": item(), "ConditionExpression": "attribute_not_exists(PK)"}}
            for _ in range(99)])

    def batch() -> None:
        client.batch_write_item(RequestItems={harness.TABLE_NAME: [{"PutRequest": {"Item": item()}} for _ in range(25)]})

    def timed(send, times: int, threads: int = 1) -> float:
        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda _: send(), range(times)))
        return time.perf_counter() - started

    timed(transaction, rounds)  # warm-up: the JIT compiles these requests' code first
    timed(batch, rounds * 4)
    one = timed(transaction, rounds)
    return {"transaction_item_ms": 1000 * one / (rounds * 99),
            "batch_item_ms": 1000 * timed(batch, rounds * 4) / (rounds * 100),
            "overlap": one / timed(transaction, rounds, threads=2)}


# --- the report -----------------------------------------------------------------------------------------

def job_seconds(ran: dict) -> float:
    return ran["ended_at"] - ran["first_message_at"]


def main_run(args) -> list[str]:
    """Points 1, 2, 3 (args.rows) and 5; returns the summary's rows."""
    with tempfile.TemporaryDirectory() as scratch, harness.running_table(), harness.moto_s3(*BUCKETS, queues=(JOBS_QUEUE,)):
        sample = str(Path(scratch) / "items.jsonl")
        writes = Writes(sample)
        made = customers_file(args.rows, args.seed)
        print(f"\n## Customer import: {made.rows:,} rows ({len(made.body) / 1e6:.1f} MB): {made.created:,} new emails, "
              f"{made.updated:,} rows repeating one, {made.rejected:,} without a valid email\n")
        # the naive loop runs half before the import and half after it: the machine's load drifts
        naive = naive_customers(made.new_rows[::2], args.sample // 2, writes)
        print(f"naive loop, first half: {naive['customers']} customers in {naive['seconds']:.1f} s; load {load()}")
        run = import_customers(made, writes, sample)
        more = naive_customers(made.new_rows[1::2], args.sample - args.sample // 2, writes)
        print(f"naive loop, second half: {more['customers']} customers in {more['seconds']:.1f} s; load {load()}")
        customers = report_customers(made, run, naive, more)
        ceilings = report_ceiling(sample)
        best = max(c["per_second"] for c in ceilings)
        orders = import_orders(args, made, writes)
    items_ratio, rows_ratio = customers["items_per_second"] / best, customers["rows_per_second"] / customers["naive_rate"]
    return [
        row(f"customer import, {made.rows:,} rows", f"{customers['rows_per_second']:.0f} rows/s vs "
            f"{customers['naive_rate']:.1f} customers/s one by one", f"{rows_ratio:.1f}x", ">= 10x"),
        row("everything it causes until the last customer is found", f"{customers['items_per_second']:.0f} items/s vs the "
            f"ceiling's {best:.0f} items/s", f"{items_ratio:.2f}", ">= 0.7"),
        row("job finished -> all searchable", f"{customers['to_searchable']:.0f} s"),
        row(f"job handler's peak RSS, {made.rows:,} rows", f"{customers['rss_mb']:.0f} MB"),
        row(f"order history import, {orders['orders']:,} orders", f"{orders['rate']:.1f} orders/s vs "
            f"{orders['naive_rate']:.1f} one by one", f"{orders['rate'] / orders['naive_rate']:.1f}x", ">= 5x"),
        row("the engine's floor for those orders' writes (one request at a time)", f"at most "
            f"{orders['ceiling_rate']:.0f} orders/s", f"{orders['ceiling_rate'] / orders['naive_rate']:.1f}x", ""),
    ]


def row(measure: str, figure: str, ratio: str = "", target: str = "") -> str:
    return f"| {measure} | {figure} | {ratio} | {target} |"


def report_customers(made: CustomerFile, run: dict, naive: dict, more: dict) -> dict:
    from chalicelib.settings import get_settings

    ran, job = run["job"], run["job"]["job"]
    seconds = job_seconds(ran)
    print(f"\njob: {job['status']}, rows {job['rows_done']:,}, created {job['created']:,}, updated {job['updated']:,}, "
          f"rejected {job['rejected']:,}; {ran['messages']} invocation(s), {ran['handoffs']} hand-over(s); "
          f"load after it {run['load_after_job']}")
    assert (job["status"], job["created"], job["updated"], job["rejected"]) == (
        "succeeded", made.created, made.updated, made.rejected), job
    rows_per_second = made.rows / seconds
    print(f"import: {seconds:.1f} s = {rows_per_second:.0f} rows/s (the job's own figure: {job['rows_per_second']} rows/s), "
          f"{get_settings().bulk_write_threads} bulk writers")
    print(f"  items written on the import's path per new customer: {total(ran['items']) / made.created:.2f} "
          f"({per_kind(ran['items'], made.created)})")
    print(f"  requests: {', '.join(f'{k} x{v}' for k, v in sorted(ran['requests'].items()))}")
    print(f"  peak RSS of the job's process: {ran['rss_peak_kb'] / 1024:.0f} MB (before its first message: "
          f"{ran['rss_before_kb'] / 1024:.0f} MB)")
    stream = run["stream"]
    print(f"stream, right after the job: {run['stream_records']:,} records to table_changed in batches of {STREAM_BATCH} "
          f"(the handler's own time {run['handler_seconds']:.0f} s); last customer found by search: {run['found']}; "
          f"records left marked index_pending: {pending_left()}")
    print(f"  items written by the stream per new customer: {total(stream['items']) / made.created:.2f} "
          f"({per_kind(stream['items'], made.created)})")
    print(f"  requests: {', '.join(f'{k} x{v}' for k, v in sorted(stream['requests'].items()))}")
    to_searchable = run["searchable_at"] - ran["ended_at"]
    print(f"  job finished -> all searchable: {to_searchable:.1f} s (stream drained after "
          f"{run['drained_at'] - ran['ended_at']:.1f} s, then the search)")
    whole = run["searchable_at"] - ran["first_message_at"]
    items = total(ran["items"]) + total(stream["items"])
    mean = (ran["put_bytes"] + stream["put_bytes"]) / max(1, ran["puts"] + stream["puts"])
    print(f"everything the import caused: {items:,} items ({items / made.created:.1f} per new customer) in {whole:.1f} s "
          f"= {items / whole:.0f} items/s (items put: mean {mean:.0f} bytes as DynamoDB JSON)")
    customers = naive["customers"] + more["customers"]
    naive_seconds = naive["seconds"] + more["seconds"]
    naive_items = {k: naive["items"].get(k, 0) + more["items"].get(k, 0) for k in {*naive["items"], *more["items"]}}
    print(f"naive loop (services.customers.create_customer, the same rows, emails prefixed): {customers} customers in "
          f"{naive_seconds:.1f} s = {customers / naive_seconds:.1f} customers/s; {total(naive_items) / customers:.1f} items "
          f"each ({per_kind(naive_items, customers)}) = {total(naive_items) / naive_seconds:.0f} items/s")
    return {"rows_per_second": rows_per_second, "naive_rate": customers / naive_seconds, "items_per_second": items / whole,
            "to_searchable": to_searchable, "rss_mb": ran["rss_peak_kb"] / 1024}


def report_ceiling(sample: str) -> list[dict]:
    from chalicelib.settings import get_settings

    threads = get_settings().bulk_write_threads
    print(f"\n## Raw BatchWriteItem ceiling: copies of the items put above (1 in {SAMPLE_ONE_IN}); load {load()}\n")
    ceilings = [ceiling(sample, n, str(n)) for n in sorted({1, threads, 2 * threads})]
    for c in ceilings:
        print(f"{c['threads']} thread(s): {c['items']:,} items (mean {c['mean_bytes']:.0f} bytes) in {c['seconds']:.1f} s "
              f"= {c['per_second']:.0f} items/s")
    return ceilings


def warm_up_engine(made: CustomerFile, products: list[tuple[str, str, int]], count: int, seed: int,
                   writes: Writes) -> None:
    """DynamoDB Local is a JVM whose JIT compiles the code of each kind of request while the first
    thousands run: during a first import of 2,000 orders its compiler threads took half of its CPU (17 of
    35 s) on these 2 cores, where the import itself runs. Real DynamoDB has no such start. Both sides are
    therefore measured warm: first an import of `count` other orders, and a few placed one by one."""
    if not count:
        return
    body, planned, _ = orders_file(count, made.people, products, seed + 1, first_number=900001)
    started = time.perf_counter()
    worker_report(run_worker(drop("orders/warm-up.csv", body), None))
    one_by_one = naive_orders(planned[:max(2, count // 10)], writes)["orders"]
    writes.take()
    print(f"engine warmed up: {count} orders imported and {one_by_one} placed one by one in "
          f"{time.perf_counter() - started:.0f} s; load {load()}")


def import_orders(args, made: CustomerFile, writes: Writes) -> dict:
    print(f"\n## Order history import; load {load()}\n")
    products = catalogue(args.seed)
    add_products(products)
    warm_up_engine(made, products, args.warm_up, args.seed, writes)
    body, planned, order_rows = orders_file(args.orders, made.people, products, args.seed)
    half = args.order_sample // 2
    naive = naive_orders(planned[:half + 1], writes)
    print(f"naive, first half: {naive['orders']} orders in {naive['seconds']:.1f} s; load {load()}")
    stream = Stream()  # from here: the import's records
    writes.take()
    ran = worker_report(run_worker(drop("orders/Shopify orders.csv", body), None))
    job = ran["job"]
    seconds = job_seconds(ran)
    print(f"job: {job['status']}, rows {job['rows_done']:,} ({order_rows:,} in the file), orders created "
          f"{job['created']:,}, updated {job['updated']:,}, rejected rows {job['rejected']:,}; load {load()}")
    assert (job["status"], job["created"], job["rejected"]) == ("succeeded", len(planned), 0), job
    rate = len(planned) / seconds
    print(f"import: {len(planned):,} orders in {seconds:.1f} s = {rate:.1f} orders/s; items per order "
          f"{total(ran['items']) / len(planned):.1f} ({per_kind(ran['items'], len(planned))})")
    print(f"  requests: {', '.join(f'{k} x{v}' for k, v in sorted(ran['requests'].items()))}")
    while stream.deliver():
        pass
    followed = writes.take()
    print(f"stream after the job (report items, ordered products' sales per sku and day): {stream.records:,} records, "
          f"the handler's own time {stream.handler_seconds:.1f} s = {len(planned) / stream.handler_seconds:.1f} orders/s; "
          f"per order {followed['requests'].get('TransactWriteItems', 0) / len(planned):.1f} TransactWriteItems, "
          f"{total(followed['items']) / len(planned):.1f} items")
    more = naive_orders(planned[half + 1:args.order_sample + 2], writes)
    count, naive_seconds = naive["orders"] + more["orders"], naive["seconds"] + more["seconds"]
    naive_items = total(naive["items"]) + total(more["items"])
    print(f"naive (services.orders.create_manual_order, the same orders, half before and half after): {count} orders in "
          f"{naive_seconds:.1f} s = {count / naive_seconds:.1f} orders/s; items per order {naive_items / count:.1f}; "
          f"load {load()}")
    costs = engine_write_costs()
    written = ran["items_by_request"]
    in_transactions = written.get("TransactWriteItems", 0) / len(planned)
    in_batches = written.get("BatchWriteItem", 0) / len(planned)
    floor_ms = in_transactions * costs["transaction_item_ms"] + in_batches * costs["batch_item_ms"]
    ceiling_rate = 1000 / floor_ms
    print(f"the engine's floor: it writes one request at a time (the same transactions from two threads: "
          f"{costs['overlap']:.2f}x the speed of one); an item takes {costs['transaction_item_ms']:.2f} ms in a "
          f"transaction, {costs['batch_item_ms']:.2f} ms in a batch; an imported order writes {in_transactions:.2f} "
          f"items in transactions and {in_batches:.2f} in batches = {floor_ms:.2f} ms: at most {ceiling_rate:.0f} "
          f"orders/s = {ceiling_rate * naive_seconds / count:.1f}x the one-by-one rate, were reading, checking and "
          f"staging free; the import reaches {100 * rate / ceiling_rate:.0f}% of it")
    return {"orders": len(planned), "rate": rate, "naive_rate": count / naive_seconds, "ceiling_rate": ceiling_rate}


def large_run(rows: int, budget: float, seed: int) -> list[str]:
    """Point 4 (and 3 for `rows`): a fresh table, the budget forced, no stream consumer."""
    with harness.running_table(), harness.moto_s3(*BUCKETS, queues=(JOBS_QUEUE,)):
        Writes()  # the same hooks as the other run (the job's process has its own)
        made = customers_file(rows, seed + 1)
        print(f"\n## {rows:,} rows, invocation budget forced to {budget:g} s: expected {made.created:,} created, "
              f"{made.updated:,} updated, {made.rejected:,} rejected; load {load()}\n")
        job_id = drop("Shopify customers (large).csv", made.body)
        ran = worker_report(run_worker(job_id, None, {"JOB_STEP_BUDGET_SECONDS": str(budget)}))
        job = ran["job"]
        seconds = job_seconds(ran)
        print(f"job: {job['status']} in {seconds:.0f} s ({rows / seconds:.0f} rows/s), {ran['messages']} invocations, "
              f"{ran['handoffs']} hand-overs; created {job['created']:,}, updated {job['updated']:,}, "
              f"rejected {job['rejected']:,}; load {load()}")
        profiles, guards = count_items()
        exact = (job["status"], job["created"], job["updated"], job["rejected"]) == (
            "succeeded", made.created, made.updated, made.rejected)
        print(f"counts as generated: {exact}; profiles {profiles:,}, email guards {guards:,}, distinct emails "
              f"{made.created:,}: {'no duplicate' if profiles == guards == made.created else 'MISMATCH'}")
        print(f"peak RSS of the job's process: {ran['rss_peak_kb'] / 1024:.0f} MB (before the first message "
              f"{ran['rss_before_kb'] / 1024:.0f} MB)")
        return [row(f"{rows:,} rows, budget {budget:g} s", f"{ran['handoffs']} hand-overs; counts as generated: {exact}; "
                    f"profiles = guards = distinct emails: {profiles == guards == made.created}", "", "exact, no duplicate"),
                row(f"job handler's peak RSS, {rows:,} rows", f"{ran['rss_peak_kb'] / 1024:.0f} MB", "",
                    "within +20 MB of 10,000 rows")]


def count_items() -> tuple[int, int]:
    """Profiles and email guards in the table (a bench-side parallel Scan)."""
    import boto3

    client = boto3.Session().client("dynamodb")

    def segment(n: int) -> Counter:
        found: Counter[str] = Counter()
        for page in client.get_paginator("scan").paginate(TableName=harness.TABLE_NAME, Segment=n, TotalSegments=4,
                                                            ProjectionExpression="PK, SK"):
            for item in page["Items"]:
                found["profile"] += item["SK"]["S"] == "PROFILE" and item["PK"]["S"].startswith("CUST#")
                found["guard"] += item["PK"]["S"].startswith("EMAIL#")
        return found

    with ThreadPoolExecutor(4) as pool:
        counted = sum(pool.map(segment, range(4)), Counter())
    return counted["profile"], counted["guard"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=300, help="rows created one by one through the service")
    parser.add_argument("--orders", type=int, default=5_000)
    parser.add_argument("--order-sample", type=int, default=300, help="orders placed one by one through the service")
    parser.add_argument("--warm-up", dest="warm_up", type=int, default=1000,
                        help="orders imported (and a tenth placed one by one) before the order figures are measured")
    parser.add_argument("--large", type=int, default=0, help="also N rows with the budget forced (e.g. 100000)")
    parser.add_argument("--budget", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--latency-ms", dest="latency_ms", type=float, default=0,
                        help="hold every AWS request N ms before sending it (a model of AWS's latency; both sides)")
    parser.add_argument("--only-large", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    parser.add_argument("--sample-file", dest="sample_file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.latency_ms:
        os.environ[LATENCY_ENV] = f"{args.latency_ms:g}"
    if args.worker:
        worker(args.worker, args.report, args.sample_file)
        return
    started = time.perf_counter()
    summary = large_run(args.large, args.budget, args.seed) if args.only_large else main_run(args)
    if args.large and not args.only_large:
        # its own process: a fresh DynamoDB Local and fresh clients
        subprocess.run([sys.executable, __file__, "--only-large", "--large", str(args.large), "--budget", str(args.budget),
                        "--seed", str(args.seed)], check=True, cwd=harness.ROOT)
    print("\n| measure | figure | ratio | target |\n|---|---|---|---|")
    print("\n".join(summary))
    print(f"\n(whole run {time.perf_counter() - started:.0f} s; load now {load()}, 2 cores)")


if __name__ == "__main__":
    main()
