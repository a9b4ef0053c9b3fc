"""``make bench``: load-test the portal on a large data set with the production server setup.

    .venv/bin/python bench/run.py                  # 10k, 100k, 1M requests (long)
    .venv/bin/python bench/run.py --quick          # 1k and 10k: a few minutes
    .venv/bin/python bench/run.py --sizes 10000,100000

For each size the data set grows (``portico generate_requests``: many organisations and
sites, every request with a thread of ``--entries`` entries), then the portal is served as
in production (PORTICO_ENV=production, ``portico serve`` with 2 workers on loopback) and
each page is loaded with ``wrk`` (8 connections, 15 s, three interleaved rounds; the median
is shown).
SQL queries per page are counted in-process (``bench/measure.py``). The database is
PostgreSQL when DATABASE_URL is set (use a scratch database: the benchmark adds rows to
it), otherwise SQLite under ``var/bench/``.

Targets: every page ≥ 10 % of the floor's req/s, p99 < 100 ms, and the same query count at
every size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FLOOR = "hello (floor)"


# --- set-up -----------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is not installed; installing Debian's package …", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], check=True)  # noqa: S603
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed (apt-get install wrk).")
    return found


def bench_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PORTICO_ENV="production",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
        ALLOWED_HOSTS="127.0.0.1",
        PORTICO_SSL_REDIRECT="0",
        PORTICO_BENCH="1",
        PORTICO_VAR_DIR=str(var_dir),
        PORTICO_LOG_LEVEL="ERROR",
        # Emails the generator might trigger go nowhere; tasks stay in the database.
        EMAIL_URL="file://",
        DJANGO_SETTINGS_MODULE="portico.settings",
    )
    return env


def portico(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "-m", "portico.cli", *args], env=env, check=True, cwd=ROOT)  # noqa: S603


def current_count(env: dict[str, str]) -> int:
    code = (
        "import django; django.setup(); "
        "from portico.service.models import ServiceRequest as S; print(S.objects.count())"
    )
    out = subprocess.run(  # noqa: S603
        [PYTHON, "-c", code], env=env, check=True, capture_output=True, text=True, cwd=ROOT
    )
    return int(out.stdout.strip().splitlines()[-1])


def grow_to(env: dict[str, str], size: int, entries: int) -> float:
    """Generate requests until there are ``size``; returns the seconds it took."""
    have = current_count(env)
    if have >= size:
        return 0.0
    started = time.monotonic()
    portico(
        env,
        "generate_requests",
        "--count",
        str(size - have),
        "--entries",
        str(entries),
        "--seed",
        str(have + 1),
    )
    return time.monotonic() - started


# --- serving ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int, workers: int, app: str) -> subprocess.Popen[bytes]:
    command = [
        PYTHON,
        "-m",
        "portico.cli",
        "serve",
        "--app",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    # Modules under bench/ can be served too (--app module:attribute).
    env = {
        **env,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "bench"), env.get("PYTHONPATH")])),
    }
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                time.sleep(2)  # the other processes start alongside the one that answered
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit("The server did not answer /healthz within 60 s.")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def check_page(port: int, page: dict[str, Any]) -> None:
    """The page must answer 200 to the cookie wrk will send (not a redirect to login)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{page['path']}",
        headers={"Cookie": page["cookie"]} if page["cookie"] else {},
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status != 200:
        raise SystemExit(f"{page['page']} ({page['path']}) answered {status}, not 200.")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# --- load -------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not match:
        raise ValueError(text)
    return float(match[1]) * UNITS[match[2]]


def run_wrk(
    wrk: str, url: str, cookie: str, *, seconds: int, connections: int, threads: int
) -> dict[str, float]:
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M)[1])  # type: ignore[index]
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M)[1])  # type: ignore[index]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "non_2xx": int(bad[1]) if bad else 0,
        "socket_errors": errors[0] if errors else "",
    }


def url_of(port: int, page: dict[str, Any]) -> str:
    return f"http://127.0.0.1:{port}{page['path']}"


def middle(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each figure over the rounds, and the rounds themselves."""
    return {
        "rps": statistics.median(run["rps"] for run in runs),
        "p50": statistics.median(run["p50"] for run in runs),
        "p99": statistics.median(run["p99"] for run in runs),
        "non_2xx": sum(run["non_2xx"] for run in runs),
        "socket_errors": "; ".join(run["socket_errors"] for run in runs if run["socket_errors"]),
        "rounds": runs,
    }


# --- report -----------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{os.cpu_count()} CPUs (nproc), {memory} RAM, {cpu}; "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def table(size: int, database: str, rows: list[dict[str, Any]]) -> str:
    floor = next(r["rps"] for r in rows if r["page"] == FLOOR)
    lines = [
        f"\n{size:,} service requests ({database})",
        "| page | req/s | p50 ms | p99 ms | SQL queries | % of floor | target met |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        share = 100 * row["rps"] / floor if floor else 0
        met = row["page"] == FLOOR or (share >= 10 and row["p99"] < 100 and not row["non_2xx"])
        lines.append(
            f"| {row['page']} | {row['rps']:,.0f} | {row['p50']:.1f} | {row['p99']:.1f} | "
            f"{row['queries']} | {share:.0f} % | {'yes' if met else 'NO'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--quick", action="store_true", help="Sizes 1000,10000.")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--rounds", type=int, default=3, help="Runs per page, interleaved; the median is shown."
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--entries", type=int, default=4, help="Timeline entries per request.")
    parser.add_argument("--var", default=str(ROOT / "var" / "bench"), help="Scratch directory.")
    parser.add_argument("--keep", action="store_true", help="Reuse the data set of a last run.")
    parser.add_argument("--json", help="Also write the results to this file.")
    parser.add_argument(
        "--app", default="portico.asgi:application", help="The ASGI application served."
    )
    args = parser.parse_args(argv)

    sizes = [1000, 10000] if args.quick else [int(s) for s in args.sizes.split(",") if s]
    var_dir = Path(args.var)
    env = bench_env(var_dir)
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    if database == "SQLite" and not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True, exist_ok=True)
    wrk = ensure_wrk()
    app = args.app
    print(f"Machine: {machine()}\nDatabase: {database}\nApplication: {app}\n", flush=True)

    portico(env, "migrate", "--no-input", "-v", "0")
    portico(env, "collectstatic", "--no-input", "-v", "0")
    results: list[dict[str, Any]] = []
    reports = []
    for size in sorted(sizes):
        took = grow_to(env, size, args.entries)
        print(f"\nData set: {size:,} requests (generated in {took:.0f} s)", flush=True)
        measured = subprocess.run(  # noqa: S603
            [PYTHON, str(ROOT / "bench" / "measure.py")],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        pages = json.loads(measured.stdout.strip().splitlines()[-1])["pages"]
        port = free_port()
        server = start_server(env, port, args.workers, app)
        rows = []
        try:
            for page in pages:
                check_page(port, page)
                # Warm both workers (imports, template and session caches) before measuring.
                run_wrk(
                    wrk, url_of(port, page), page["cookie"], seconds=2, connections=4, threads=2
                )
            # Rounds interleave the pages, so a burst of load from elsewhere on a shared
            # machine hits one round of each rather than every run of one page.
            runs: dict[str, list[dict[str, Any]]] = {page["page"]: [] for page in pages}
            for number in range(1, args.rounds + 1):
                for page in pages:
                    load = run_wrk(
                        wrk,
                        url_of(port, page),
                        page["cookie"],
                        seconds=args.seconds,
                        connections=args.connections,
                        threads=2,
                    )
                    runs[page["page"]].append(load)
                    print(
                        f"  round {number}  {page['page']:<24} {load['rps']:>8,.0f} req/s"
                        f"  p50 {load['p50']:6.1f} ms  p99 {load['p99']:6.1f} ms"
                        f"  {page['queries']:>2} queries",
                        flush=True,
                    )
            for page in pages:
                row = {**page, **middle(runs[page["page"]]), "size": size, "database": database}
                row.pop("cookie")
                rows.append(row)
        finally:
            stop_server(server)
        results.extend(rows)
        reports.append(table(size, database, rows))

    print("\n# Results\n\nMachine: " + machine())
    print("\n".join(reports))
    by_page: dict[str, set[int]] = {}
    for row in results:
        by_page.setdefault(row["page"], set()).add(row["queries"])
    steady = {page: len(counts) == 1 for page, counts in by_page.items()}
    print(
        "\nSame query count at every size: "
        + ", ".join(
            f"{page}: {'yes' if ok else 'NO ' + str(sorted(by_page[page]))}"
            for page, ok in steady.items()
        )
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
