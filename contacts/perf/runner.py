"""The in-process measurements: query counts, time ratios, plans, operations.

Pages go through Django's test client — the whole middleware stack and the
real URLs, without a socket — signed in with sessions created straight in the
database. Timing runs in interleaved rounds (every page once per round, in a
new order each round), so a slow moment of the machine hits every page alike;
each page's median and 95th percentile are divided by those of the bare view
measured in the same rounds.
"""

import gc
import random
import re
import time
import tracemalloc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.module_loading import import_string

from contacts.perf import plans
from contacts.perf.pages import (
    BARE,
    HOT_QUERIES,
    OPERATIONS,
    Cast,
    HotQuery,
    Operation,
    Page,
    check_registry,
)
from contacts.perf.report import Figure, number, percentile, ratio, render_table

SAVEPOINT = re.compile(
    r"\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.I
)
# The transaction an action is measured in (`Browsers.get`) is the
# benchmark's own: SQLite logs its BEGIN and ROLLBACK, PostgreSQL only the
# ROLLBACK, and neither is sent by the page.
WRAPPER_BEGIN = re.compile(r"\s*BEGIN\b", re.I)
WRAPPER_ROLLBACK = re.compile(r"\s*ROLLBACK\s*;?\s*$", re.I)


class PageError(Exception):
    """A page did not answer as declared, so its figures would mean nothing."""


# --- Signing in --------------------------------------------------------------


def open_session(member) -> str:
    """A signed-in session for a member, written straight to the session store."""
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(member.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = member.get_session_auth_hash()
    # The password entered again, as changing an email address asks, and for
    # staff the two-factor step the admin asks for: recorded the way allauth
    # records them.
    methods = [{"method": "password", "at": time.time(), "reauthenticated": True}]
    if member.is_staff:
        methods.append({"method": "mfa", "type": "totp", "at": time.time()})
    store[AUTHENTICATION_METHODS_SESSION_KEY] = methods
    store["account_authentication_methods_user"] = str(member.pk)
    store.create()
    return store.session_key


def close_sessions(keys: Iterable[str]) -> None:
    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    for key in keys:
        store_class(session_key=key).delete()


class Browsers:
    """One test client per viewer, signed in, cookies kept like a browser's."""

    def __init__(self, cast: Cast):
        self.cast = cast
        self.clients: dict[str | None, Client] = {}
        self.sessions: dict[str, str] = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        close_sessions(self.sessions.values())

    def session(self, role: str) -> str:
        if role not in self.sessions:
            self.sessions[role] = open_session(self.cast[role])
        return self.sessions[role]

    def client(self, role: str | None) -> Client:
        if role not in self.clients:
            client = Client(raise_request_exception=False)
            if role is not None:
                client.cookies[settings.SESSION_COOKIE_NAME] = self.session(role)
            self.clients[role] = client
        return self.clients[role]

    def get(self, page: Page, role: str | None, path: str, status: int | None = None):
        """Request a page as a viewer; an action's writes are rolled back."""
        headers = {"HX-Request": "true"} if page.htmx else {}
        headers.update(page.headers)
        client = self.client(role)
        if page.post is None:
            response = client.get(path, headers=headers)
        else:
            with transaction.atomic():
                response = client.post(path, page.post(self.cast), headers=headers)
                transaction.set_rollback(True)
        expected = page.status if status is None else status
        if response.status_code != expected:
            where = response.get("Location", "")
            raise PageError(
                f"{page.name} ({path}, viewed by {role or 'a visitor'}) answered "
                f"{response.status_code} {where}, not {expected}."
            )
        return response


# --- Query counts --------------------------------------------------------------


@dataclass
class PageResult:
    page: Page
    path: str = ""
    status: int = 200
    queries: dict[str, int] = field(default_factory=dict)
    statements: list[str] = field(default_factory=list)
    samples: list[float] = field(default_factory=list)
    scans: list[dict] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return percentile(self.samples, 50)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)


def viewer_label(role: str | None) -> str:
    return role or "visitor"


def without_wrapper(statements: list[str]) -> list[str]:
    """An action's statements without the rolled-back transaction around it."""
    if statements and WRAPPER_BEGIN.match(statements[0]):
        statements = statements[1:]
    if statements and WRAPPER_ROLLBACK.match(statements[-1]):
        statements = statements[:-1]
    return statements


def count_queries(browsers: Browsers, results: Sequence[PageResult]) -> None:
    """Each page's queries for each of its viewers, after one warm-up request."""
    for result in results:
        for role in result.page.counted_viewers:
            browsers.get(result.page, role, result.path, result.status)
            with CaptureQueriesContext(connection) as captured:
                browsers.get(result.page, role, result.path, result.status)
            # The savepoints an action's services open inside the rolled-back
            # transaction would be a BEGIN and a COMMIT in production.
            statements = [
                query["sql"] for query in captured if not SAVEPOINT.match(query["sql"])
            ]
            if result.page.post is not None:
                statements = without_wrapper(statements)
            result.queries[viewer_label(role)] = len(statements)
            result.statements.extend(statements)


# --- Timing --------------------------------------------------------------------


def time_pages(
    browsers: Browsers,
    results: Sequence[PageResult],
    *,
    rounds: int,
    warmup: int,
    seed: int,
    stdout: TextIO | None = None,
) -> None:
    """Interleaved rounds: every page once per round, in a fresh order."""
    rng = random.Random(seed)
    order = list(results)
    for result in results:
        result.samples.clear()
    for round_number in range(warmup + rounds):
        rng.shuffle(order)
        gc.collect()
        for result in order:
            page = result.page
            started = time.perf_counter_ns()
            browsers.get(page, page.viewer, result.path, result.status)
            elapsed = time.perf_counter_ns() - started
            if round_number >= warmup:
                result.samples.append(elapsed / 1e6)
        if stdout is not None and (round_number + 1) % 10 == 0:
            stdout.write(f"  round {round_number + 1} of {warmup + rounds}")


# --- Operations ------------------------------------------------------------------


@dataclass
class OperationResult:
    operation: Operation
    ms: list[float] = field(default_factory=list)
    peak_mib: float | None = None


def run_operation(operation: Operation, cast: Cast) -> OperationResult:
    """Time an operation `repeat` times (after one warm-up run), rolled back."""
    result = OperationResult(operation)
    for attempt in range(operation.repeat + 1):
        if operation.memory:
            tracemalloc.start()
        started = time.perf_counter_ns()
        with transaction.atomic():
            operation.run(cast)
            transaction.set_rollback(True)
        elapsed = (time.perf_counter_ns() - started) / 1e6
        if operation.memory:
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            result.peak_mib = max(result.peak_mib or 0.0, peak)
            tracemalloc.stop()
        if attempt:
            result.ms.append(elapsed)
    return result


def operation_figures(result: OperationResult) -> list[Figure]:
    operation = result.operation
    figures = [
        Figure(
            f"operation.{operation.name}.ms",
            percentile(result.ms, 50),
            "ms",
            operation.max_ms,
        ),
        Figure(f"operation.{operation.name}.p95_ms", percentile(result.ms, 95), "ms"),
    ]
    if result.peak_mib is not None:
        figures.append(
            Figure(
                f"operation.{operation.name}.peak_memory",
                result.peak_mib,
                "MiB",
                operation.max_peak_mib,
            )
        )
    return figures


# --- Plans --------------------------------------------------------------------------


def hot_query_statements(hot: HotQuery, cast: Cast) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        result = hot.run(cast)
        if hasattr(result, "__iter__") and not isinstance(result, str | bytes | dict):
            list(result)
    return [query["sql"] for query in captured]


# --- Figures -------------------------------------------------------------------------


def page_figures(
    result: PageResult, bare: PageResult, by_name: dict[str, PageResult]
) -> list[Figure]:
    """Queries, time ratios and plans of one page."""
    page = result.page
    counts = result.queries
    figures = [
        Figure(
            f"queries.{page.name}",
            max(counts.values()),
            "queries",
            page.query_budget,
            detail=dict(counts),
        ),
        Figure(
            f"queries.{page.name}.spread",
            max(counts.values()) - min(counts.values()),
            "queries",
            0,
        ),
    ]
    if result.samples and result is not bare:
        figures += [
            Figure(
                f"time.{page.name}.p50",
                ratio(result.p50, bare.p50),
                "x bare",
                page.ratio_target,
            ),
            Figure(f"time.{page.name}.p95", ratio(result.p95, bare.p95), "x bare"),
            Figure(f"time.{page.name}.p50_ms", result.p50, "ms", page.max_ms),
            Figure(f"time.{page.name}.p95_ms", result.p95, "ms"),
        ]
        if page.baseline is not None:
            base = by_name[page.baseline]
            figures.append(
                Figure(
                    f"time.{page.name}.vs_{page.baseline}",
                    ratio(result.p50, base.p50),
                    f"x {page.baseline}",
                    page.vs_baseline_target,
                )
            )
    figures.append(
        Figure(
            f"plan.{page.name}",
            len(result.scans),
            "full scans",
            0,
            detail={"scans": result.scans} if result.scans else {},
        )
    )
    return figures


@dataclass
class Run:
    """Everything one in-process run measured."""

    bare: PageResult
    pages: list[PageResult]
    hot: dict[str, list[dict]]
    operations: list[OperationResult]

    def figures(self) -> list[Figure]:
        by_name = {result.page.name: result for result in self.pages}
        figures = []
        if self.bare.samples:
            figures += [
                Figure("time.bare.p50_ms", self.bare.p50, "ms"),
                Figure("time.bare.p95_ms", self.bare.p95, "ms"),
            ]
        for result in [self.bare, *self.pages]:
            figures += page_figures(result, self.bare, by_name)
        for name, scans in self.hot.items():
            figures.append(
                Figure(
                    f"plan.hot.{name}",
                    len(scans),
                    "full scans",
                    0,
                    detail={"scans": scans} if scans else {},
                )
            )
        for result in self.operations:
            figures += operation_figures(result)
        return figures

    def table(self) -> str:
        """One row per page: its queries, times, ratios and plan."""
        by_name = {result.page.name: result for result in self.pages}
        headers = [
            "page", "kind", "viewer", "queries", "budget", "p50 ms", "p95 ms",
            "p50 ×bare", "p95 ×bare", "target", "×baseline", "scans", "result",
        ]  # fmt: skip
        rows = []
        for result in [self.bare, *self.pages]:
            page = result.page
            figures = page_figures(result, self.bare, by_name)
            failed = sorted(
                {
                    figure.name.split(".")[0]
                    for figure in figures
                    if figure.passed is False
                }
            )
            timed = bool(result.samples)
            is_bare = result is self.bare
            vs_base = "–"
            if page.baseline is not None and timed:
                vs_base = (
                    number(ratio(result.p50, by_name[page.baseline].p50), 2, "x")
                    + f" ≤{page.vs_baseline_target:g}"
                )
            rows.append(
                [
                    page.name,
                    page.kind,
                    viewer_label(page.viewer),
                    "/".join(
                        str(result.queries[viewer_label(role)])
                        for role in page.counted_viewers
                    ),
                    page.query_budget,
                    number(result.p50, 2) if timed else "–",
                    number(result.p95, 2) if timed else "–",
                    "1.0x"
                    if is_bare
                    else number(
                        ratio(result.p50, self.bare.p50) if timed else None, 1, "x"
                    ),
                    "1.0x"
                    if is_bare
                    else number(
                        ratio(result.p95, self.bare.p95) if timed else None, 1, "x"
                    ),
                    ""
                    if is_bare
                    else f"≤{page.ratio_target:g}x"
                    + (f" ≤{page.max_ms:g}ms" if page.max_ms else ""),
                    vs_base,
                    len(result.scans),
                    "FAIL " + ",".join(failed) if failed else "ok",
                ]
            )
        return render_table(headers, rows)


def run_in_process(
    pages: Sequence[Page],
    *,
    rounds: int,
    warmup: int,
    seed: int,
    big_tables: set[str],
    stdout: TextIO | None = None,
    hot_queries: Sequence[HotQuery] = HOT_QUERIES,
    operations: Sequence[Operation] = OPERATIONS,
) -> Run:
    """Measure every page, hot query and operation against the seeded data."""
    check_registry(list(pages))
    roles = {"hub", "typical"} | {role for page in pages for role in page.roles()}
    roles |= {operation.viewer for operation in operations}
    cast = Cast.load(roles | BARE.roles())
    bare = PageResult(BARE, BARE.path(cast), BARE.expected_status(cast))
    results = [
        PageResult(page, page.path(cast), page.expected_status(cast)) for page in pages
    ]
    with Browsers(cast) as browsers:
        count_queries(browsers, [bare, *results])
        for result in [bare, *results]:
            result.scans = plans.scans_of_big_tables(result.statements, big_tables)
        hot = {
            query.name: plans.scans_of_big_tables(
                hot_query_statements(query, cast), big_tables
            )
            for query in hot_queries
        }
        if rounds:
            time_pages(
                browsers,
                [bare, *results],
                rounds=rounds,
                warmup=warmup,
                seed=seed,
                stdout=stdout,
            )
    ops = [run_operation(operation, cast) for operation in operations]
    return Run(bare, results, hot, ops)
