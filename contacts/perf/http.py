"""Under load (`make bench-http`): gunicorn, 2 sync workers, wrk on loopback.

Each page is loaded by wrk for a few seconds per round, in interleaved rounds
like the in-process timing; its requests per second are divided by the bare
view's from the same rounds. wrk counts every answer whose status is not the
page's declared one (a redirect to sign-in included) as an error.
"""

import http.client
import os
import random
import re
import shutil
import socket
import subprocess  # noqa: S404 - starts gunicorn and wrk, fixed arguments
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.conf import settings

from contacts.perf.pages import BARE, Cast, Page, check_registry
from contacts.perf.report import Figure, number, percentile, ratio, render_table
from contacts.perf.runner import close_sessions, open_session

STATUS_SCRIPT = """\
-- Counts the answers whose status is not the expected one (after `--`).
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  expected = tonumber(args[1]) or 200
  unexpected = 0
end
function response(status, headers, body)
  if status ~= expected then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("unexpected") end
  io.write(string.format("Unexpected status: %d\\n", total))
end
"""

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


class LoadError(Exception):
    """The server or the load generator could not run."""


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p99_ms: float
    requests: int
    errors: int


def parse_wrk(output: str) -> WrkResult:
    """Read requests/s, the 99th percentile latency and the errors wrk printed."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    total = re.search(r"(\d+) requests in", output)
    if not (rps and p99 and total):
        raise LoadError(f"Unexpected wrk output:\n{output}")
    errors = 0
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if sockets:
        errors += sum(int(count) for count in sockets.groups())
    unexpected = re.search(r"Unexpected status: (\d+)", output)
    if unexpected:
        errors += int(unexpected.group(1))
    else:
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        errors += int(non_2xx.group(1)) if non_2xx else 0
    return WrkResult(
        requests_per_second=float(rps.group(1)),
        p99_ms=float(p99.group(1)) * UNITS[p99.group(2)],
        requests=int(total.group(1)),
        errors=errors,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    """gunicorn with the benchmark settings and the same database."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", "config.settings.bench"
        ),
    }
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi",
        "--workers", str(workers), "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=settings.BASE_DIR, env=environment)  # noqa: S603


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, str]:
    """One request without following redirects: its status and Location."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        client.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = client.getresponse()
        response.read()
        return response.status, response.getheader("Location", "")
    finally:
        client.close()


def wait_until_ready(server: subprocess.Popen, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise LoadError(f"gunicorn stopped (exit code {server.returncode}).")
        try:
            if get(port, "/healthz", {})[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise LoadError("gunicorn did not answer /healthz in time.")


def run_wrk(
    url: str,
    headers: dict[str, str],
    *,
    expected: int,
    duration: float,
    connections: int,
    threads: int,
    script: Path,
) -> WrkResult:
    command = [
        shutil.which("wrk") or "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(duration))}s",
        "--timeout=30s",
        "--latency",
        f"--script={script}",
    ]
    for name, value in headers.items():
        command.append(f"--header={name}: {value}")
    command += [url, "--", str(expected)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise LoadError(f"wrk failed: {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


@dataclass
class LoadResult:
    page: Page
    path: str
    headers: dict[str, str]
    runs: list[WrkResult] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return percentile([run.requests_per_second for run in self.runs], 50)

    @property
    def p99_ms(self) -> float:
        return max(run.p99_ms for run in self.runs)

    @property
    def errors(self) -> int:
        return sum(run.errors for run in self.runs)


@dataclass
class LoadRun:
    bare: LoadResult
    pages: list[LoadResult]

    def figures(self) -> list[Figure]:
        figures = [
            Figure("http.bare.rps", self.bare.rps, "requests/s"),
            Figure("http.bare.p99_ms", self.bare.p99_ms, "ms"),
            Figure("http.bare.errors", self.bare.errors, "errors", 0),
        ]
        for result in self.pages:
            name = result.page.name
            figures += [
                Figure(
                    f"http.{name}.rps_ratio",
                    ratio(result.rps, self.bare.rps),
                    "x bare",
                    result.page.http_target,
                    better="higher",
                ),
                Figure(f"http.{name}.rps", result.rps, "requests/s"),
                Figure(f"http.{name}.p99_ms", result.p99_ms, "ms"),
                Figure(f"http.{name}.errors", result.errors, "errors", 0),
            ]
        return figures

    def table(self) -> str:
        headers = ["page", "kind", "req/s", "×bare", "target", "p99 ms", "errors"]
        rows = [
            [
                "bare",
                "page",
                number(self.bare.rps),
                "1.00",
                "",
                number(self.bare.p99_ms),
                self.bare.errors,
            ]
        ]
        for result in self.pages:
            share = ratio(result.rps, self.bare.rps)
            rows.append(
                [
                    result.page.name,
                    result.page.kind,
                    number(result.rps),
                    number(share, 2),
                    f"≥{result.page.http_target:g}",
                    number(result.p99_ms),
                    result.errors,
                ]
            )
        return render_table(headers, rows)


def run_http(
    pages: Sequence[Page],
    *,
    duration: float,
    rounds: int,
    connections: int,
    threads: int,
    workers: int = 2,
    seed: int = 1,
    stdout: TextIO | None = None,
) -> LoadRun:
    """Serve the seeded database with gunicorn and load each page with wrk."""
    if shutil.which("wrk") is None:
        raise LoadError("wrk is not installed (`make bench-http` installs it).")
    pages = [page for page in pages if page.under_load]
    check_registry(list(pages))
    roles = {role for page in [BARE, *pages] for role in page.roles()}
    cast = Cast.load(roles)
    sessions = {
        role: open_session(cast[role])
        for role in {page.viewer for page in [BARE, *pages] if page.viewer}
    }

    def prepared(page: Page) -> LoadResult:
        headers = {}
        if page.viewer:
            headers["Cookie"] = (
                f"{settings.SESSION_COOKIE_NAME}={sessions[page.viewer]}"
            )
        if page.htmx:
            headers["HX-Request"] = "true"
        headers.update(page.headers)
        return LoadResult(page, page.path(cast), headers)

    bare, results = prepared(BARE), [prepared(page) for page in pages]
    port = free_port()
    server = start_server(port, workers)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "status.lua"
        script.write_text(STATUS_SCRIPT)
        try:
            wait_until_ready(server, port, timeout=60)
            for result in [bare, *results]:
                status, location = get(port, result.path, result.headers)
                if status != result.page.status:
                    raise LoadError(
                        f"{result.page.name} ({result.path}) answered {status} "
                        f"{location}, not {result.page.status}."
                    )
            rng = random.Random(seed)
            order = [bare, *results]
            for round_number in range(rounds):
                rng.shuffle(order)
                for result in order:
                    result.runs.append(
                        run_wrk(
                            f"http://127.0.0.1:{port}{result.path}",
                            result.headers,
                            expected=result.page.status,
                            duration=duration,
                            connections=connections,
                            threads=threads,
                            script=script,
                        )
                    )
                if stdout is not None:
                    stdout.write(f"  round {round_number + 1} of {rounds}")
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            close_sessions(sessions.values())
    return LoadRun(bare, results)
