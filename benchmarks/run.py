"""Benchmarks: each figure is a ratio to a baseline measured in the same run (`make bench`).

Pages are timed in-process through Django's test client (full middleware stack, real templates,
a real SQLite database holding the real registry), interleaved with the baseline in several
rounds so that a noisy machine affects both alike; we report the median ratio and its range.

- page overhead: GET of a page vs GET of a bare `HttpResponse("ok")` view (QUALITY.md P1: <= 5x
  for key pages is the target for pages that do real work; the figure is reported, not asserted).
- import: `import_states` of att_membership.csv (parse, validate, compare, no change) vs csv
  reading the same file (QUALITY.md P4 is about 10k-row spreadsheets; this is the registry file).
"""

import csv
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
WORKDIR = Path(tempfile.mkdtemp(prefix="att-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretariat.settings")
os.environ["DEBUG"] = "False"
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ["SECURE_COOKIES"] = "False"
os.environ["STATIC_ROOT"] = str(WORKDIR / "static")  # WhiteNoise wants the folder to exist
(WORKDIR / "static").mkdir()

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))


def timed(function, repeat=REPEAT):
    start = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - start) / repeat


def compare(name, baseline, candidate):
    candidate()
    baseline()  # warm up both
    ratios, base_times, cand_times = [], [], []
    for _ in range(ROUNDS):
        base = timed(baseline)
        cand = timed(candidate)
        base_times.append(base)
        cand_times.append(cand)
        ratios.append(cand / base)
    median = statistics.median(ratios)
    print(
        f"{name:<44} {median:7.2f}x  (range {min(ratios):.2f}-{max(ratios):.2f}; "
        f"{statistics.median(cand_times) * 1000:.1f} ms vs {statistics.median(base_times) * 1000:.2f} ms)"
    )
    return median


def get(client, url):
    def request():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")

    return request


def main():
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    storages = {**settings.STORAGES, "staticfiles": plain}
    print(f"Benchmarks ({ROUNDS} rounds x {REPEAT} requests; ratio to the baseline in the same run)")
    with override_settings(ROOT_URLCONF="benchmarks.bench_urls", STORAGES=storages):
        client = Client()
        bare = get(client, "/__bench__/bare/")
        compare("home page / bare view", bare, get(client, "/"))
        compare("treaty status page (196 States) / bare view", bare, get(client, "/states/"))
        compare("treaty status CSV export / bare view", bare, get(client, "/states/export.csv"))
        compare("State dossier / bare view", bare, get(client, "/states/GHA/"))
        compare("API state list (196) / bare view", bare, get(client, "/api/v1/states/"))
        compare("API state detail / bare view", bare, get(client, "/api/v1/states/GHA/"))

    membership = ROOT / "src" / "secretariat" / "states" / "data" / "att_membership.csv"

    def read_csv():
        with membership.open(encoding="utf-8") as handle:
            list(csv.DictReader(handle))

    def import_unchanged():
        call_command("import_states", membership, verbosity=0, stdout=io.StringIO())

    compare("import_states (no change) / csv read", read_csv, import_unchanged)

    from benchmarks import bench_import

    for line in bench_import.run():
        print(line)

    from benchmarks import bench_reminders

    bench_reminders.run(echo=print)

    from benchmarks import bench_finance

    bench_finance.run(echo=print)

    from benchmarks import bench_transfers

    bench_transfers.run(echo=print)


if __name__ == "__main__":
    main()
