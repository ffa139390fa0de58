"""The benchmark harness: statistics, figures, registry, seeding, runner, plans."""

import json
import math
import re

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db import connection

from connections.models import User
from connections.models.members import HANDLE_PATTERN
from contacts.models import Contact
from contacts.perf import plans
from contacts.perf.cli import python_speed_ms, speed_figure
from contacts.perf.http import LoadError, LoadResult, LoadRun, WrkResult, parse_wrk
from contacts.perf.imports import import_figures, import_table, measure_imports
from contacts.perf.pages import (
    BARE,
    HOT_QUERIES,
    OPERATIONS,
    PAGES,
    Cast,
    Kind,
    Operation,
    Page,
    archive_bytes,
    check_registry,
    page_start,
    profile_of,
    url,
)
from contacts.perf.report import (
    Figure,
    check_results,
    percentile,
    ratio,
    render_table,
    write_results,
)
from contacts.perf.runner import PageError, run_in_process, without_wrapper
from contacts.perf.seed import (
    BENCH_PASSWORD,
    SIZES,
    ForeignDatabase,
    SeedContext,
    ensure_seeded,
    indexes_dropped,
    read_fingerprint,
    role_handle,
    role_names,
    seed_step,
)

TINY = SIZES["tiny"]
BIG = {"connections_user", "account_emailaddress"}


def snapshot():
    """What the seeded members are, leaving out the dates and keys."""
    members = User.objects.order_by("handle").values_list(
        "handle", "email", "display_name", "headline"
    )
    emails = EmailAddress.objects.order_by("email").values_list(
        "email", "verified", "primary"
    )
    return list(members), list(emails)


@pytest.fixture
def tiny(db):
    """The tiny benchmark dataset, seeded with seed 7."""
    return ensure_seeded(size=TINY, seed=7)


# --- Statistics and figures ---------------------------------------------------


def test_percentile_interpolates_between_closest_ranks():
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)
    assert percentile([1, 2, 3, 4], 0) == 1
    assert percentile([1, 2, 3, 4], 100) == 4
    assert percentile([7.5], 95) == 7.5


@pytest.mark.parametrize(
    ("values", "q", "message"),
    [([], 50, "No values"), ([1.0], -1, "between"), ([1.0], 101, "between")],
)
def test_percentile_refuses_what_has_none(values, q, message):
    with pytest.raises(ValueError, match=message):
        percentile(values, q)


def test_ratio_to_a_zero_base_is_infinite():
    assert ratio(6.0, 2.0) == 3.0
    assert ratio(1.0, 0.0) == math.inf


@pytest.mark.parametrize(
    ("value", "target", "better", "passed"),
    [
        (40.0, 40.0, "lower", True),
        (40.1, 40.0, "lower", False),
        (0.10, 0.10, "higher", True),
        (0.09, 0.10, "higher", False),
        (3.0, None, "lower", None),
        (math.inf, 5.0, "lower", False),
        (math.nan, 5.0, "lower", False),
        (None, 5.0, "lower", False),
    ],
)
def test_figure_passes_when_within_its_target(value, target, better, passed):
    assert Figure("x", value, "x bare", target, better=better).passed is passed


def test_figure_json_has_the_five_fields_and_no_infinity():
    entry = Figure("time.home.p50", math.inf, "x bare", 40.0).as_json()
    assert {"name", "value", "target", "unit", "pass"} <= set(entry)
    assert entry["value"] is None
    assert entry["pass"] is False
    assert Figure("time.bare.p50_ms", 1.23456, "ms").as_json()["value"] == 1.235


def test_machine_speed_is_reported_without_a_target(monkeypatch):
    clock = iter([0.0, 0.030, 1.0, 1.020, 2.0, 2.025])
    monkeypatch.setattr("contacts.perf.cli.time.perf_counter", lambda: next(clock))
    # The best of the runs: a busy moment of the machine does not count.
    assert python_speed_ms(repeat=3) == pytest.approx(20.0)
    monkeypatch.undo()
    figure = speed_figure()
    assert figure.name == "machine.python_ms"
    assert figure.value > 0
    assert figure.passed is None


def test_results_json_keeps_other_runs_on_the_same_data(tmp_path):
    path = tmp_path / "results.json"
    meta = {"size": "ci", "seed": 1, "database": "sqlite"}
    write_results(path, run="in-process", meta=meta, figures=[Figure("a", 1, "ms")])
    write_results(path, run="http", meta=meta, figures=[Figure("b", 2, "ms", 1)])
    write_results(path, run="in-process", meta=meta, figures=[Figure("a", 3, "ms")])
    data = json.loads(path.read_text())
    check_results(data)
    assert {entry["name"]: entry["value"] for entry in data["figures"]} == {
        "b": 2,
        "a": 3,
    }
    assert set(data["runs"]) == {"in-process", "http"}
    assert next(e for e in data["figures"] if e["name"] == "b")["pass"] is False


def test_results_json_drops_runs_measured_on_other_data(tmp_path):
    path = tmp_path / "results.json"
    write_results(
        path,
        run="http",
        meta={"size": "ci", "seed": 1, "database": "sqlite"},
        figures=[Figure("b", 2, "ms")],
    )
    data = write_results(
        path,
        run="in-process",
        meta={"size": "full", "seed": 1, "database": "sqlite"},
        figures=[Figure("a", 1, "ms")],
    )
    assert [entry["name"] for entry in data["figures"]] == ["a"]
    assert list(data["runs"]) == ["in-process"]


def test_results_json_replaces_an_unreadable_file(tmp_path):
    path = tmp_path / "results.json"
    path.write_text("{not json")
    data = write_results(
        path, run="in-process", meta={}, figures=[Figure("a", 1, "ms")]
    )
    assert json.loads(path.read_text()) == data


GOOD = {"name": "a", "value": 1, "target": 2, "unit": "ms", "pass": True, "run": "r"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pass": "yes"}, "pass must be"),
        ({"value": "1"}, "value must be"),
        ({"target": [2]}, "target must be"),
        ({"unit": None}, "Bad name or unit"),
        ({"run": "another run"}, "unknown run"),
    ],
)
def test_results_schema_refuses_malformed_figures(change, message):
    check_results({"schema": 1, "runs": {"r": {}}, "figures": [GOOD]})
    with pytest.raises(ValueError, match=message):
        check_results({"schema": 1, "runs": {"r": {}}, "figures": [{**GOOD, **change}]})


def test_results_schema_refuses_a_figure_without_pass():
    entry = {key: value for key, value in GOOD.items() if key != "pass"}
    with pytest.raises(ValueError, match="lacks"):
        check_results({"schema": 1, "runs": {"r": {}}, "figures": [entry]})


def test_results_schema_refuses_two_figures_with_one_name():
    entry = {"name": "a", "value": 1, "target": None, "unit": "ms", "pass": None}
    with pytest.raises(ValueError, match="Two figures"):
        check_results(
            {
                "schema": 1,
                "runs": {"r": {}},
                "figures": [{**entry, "run": "r"}, {**entry, "run": "r"}],
            }
        )


def test_table_aligns_columns():
    table = render_table(["page", "p50", "result"], [["home", "1.5", "ok"]])
    header, rule, row = table.splitlines()
    assert len(header) == len(rule)
    assert row.startswith("home  ")
    assert row.endswith("ok")


# --- The registry --------------------------------------------------------------


def test_registry_is_consistent():
    check_registry(PAGES)
    for page in PAGES:
        assert re.fullmatch(r"[a-z0-9-]+", page.name), page.name
        assert page.ratio_target > 0


def test_registry_refuses_two_pages_with_one_name():
    page = Page("home", url("home"), "typical", Kind.PAGE, query_budget=2)
    with pytest.raises(ValueError, match="Two pages"):
        check_registry([page, page])


def test_registry_refuses_a_baseline_registered_later():
    deep = Page(
        "deep", url("home"), "typical", Kind.DEEP, query_budget=2, baseline="first"
    )
    first = Page("first", url("home"), "typical", Kind.LIST, query_budget=2)
    with pytest.raises(ValueError, match="baseline"):
        check_registry([deep, first])
    check_registry([first, deep])


def test_registry_refuses_unknown_roles():
    page = Page("x", url("home"), "stranger", Kind.PAGE, query_budget=2)
    with pytest.raises(ValueError, match="unknown roles"):
        check_registry([page])
    check_registry([Page("y", url("home"), "big-03", Kind.HUB, query_budget=2)])


@pytest.mark.parametrize(
    ("count", "fraction", "start"),
    [
        (25_000, 1.0, 24_950),  # the last page, not an empty one after it
        (24_750, 1.0, 24_700),
        (24_761, 1.0, 24_750),
        (19_000, 0.8, 15_200),
        (500, 0.9, 450),
        (120, 0, 50),  # "load more": the second page
        (60, 1.0, 50),
    ],
)
def test_deep_pages_start_on_a_page_boundary_that_exists(count, fraction, start):
    assert page_start(count, fraction) == start
    assert start % 50 == 0
    assert start < count


def test_page_targets_follow_the_issue():
    def page(kind, **extra):
        return Page("p", url("home"), "typical", kind, query_budget=2, **extra)

    assert page(Kind.LIST).ratio_target == 40
    assert page(Kind.HUB).ratio_target == 60
    assert page(Kind.FRAGMENT).ratio_target == 15
    assert page(Kind.POLL).ratio_target == 5
    assert page(Kind.HUB, target=120).ratio_target == 120
    assert page(Kind.DEEP, baseline="first").vs_baseline_target == 1.5
    assert page(Kind.LIST, baseline="small", baseline_target=2).vs_baseline_target == 2
    assert page(Kind.LIST).vs_baseline_target is None
    assert page(Kind.PAGE).http_target == 0.10
    assert page(Kind.HUB).http_target == 0.05
    assert page(Kind.PAGE).counted_viewers == ("single", "typical", "hub")
    signed_out = Page("p", url("home"), None, Kind.PAGE, query_budget=0)
    assert signed_out.counted_viewers == (None,)


# --- Seeding --------------------------------------------------------------------


def test_tiny_seed_creates_every_role_with_a_verified_email(tiny):
    assert not tiny.reused
    assert tiny.counts["members"] == TINY.members
    assert User.objects.count() == TINY.members
    for role in role_names(TINY):
        member = User.objects.get(handle=role_handle(role))
        assert member.emailaddress_set.get().verified
    hub = User.objects.get(handle="bench-hub")
    assert hub.check_password(BENCH_PASSWORD)
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == (
        TINY.members
    )
    assert all(
        re.match(HANDLE_PATTERN, handle)
        for handle in User.objects.values_list("handle", flat=True)
    )


def test_tiny_seed_gives_each_role_its_network(tiny):
    from connections.models import Block, Connection, ConnectionRequest

    def member(role):
        return User.objects.get(handle=role_handle(role))

    def degree(role):
        return Connection.objects.filter(member=member(role)).count()

    def pending(**where):
        return ConnectionRequest.objects.pending().filter(**where).count()

    assert Connection.objects.count() == 2 * TINY.connections
    assert tiny.counts["connections"] == 2 * TINY.connections
    assert degree("hub") == TINY.hub_connections
    assert degree("big-01") == degree("big-02") == TINY.big_connections
    assert degree("typical") == TINY.typical_connections
    assert degree("single") == 1
    assert degree("inbox") == TINY.conversations
    assert Connection.objects.filter(member=member("inbox"), other=member("talker"))
    assert pending(recipient=member("inbox")) == TINY.pending_invitations
    for role in ("typical", "hub"):
        assert pending(recipient=member(role)) == TINY.full_page
        assert pending(sender=member(role)) == TINY.full_page
        assert Block.objects.filter(blocker=member(role)).count() == TINY.full_page
    assert pending(recipient=member("single")) == pending(sender=member("single")) == 1


def test_tiny_seed_fills_the_address_books(tiny):
    from contacts.models import AddressBook, Contact, ContactEmail, Label

    def book(role):
        return Contact.objects.filter(owner__handle=role_handle(role))

    assert book("addressbook").count() == TINY.addressbook_contacts
    assert book("addressbook").filter(deleted_at__isnull=False).exists()
    assert Contact.objects.owned_by(
        User.objects.get(handle="bench-typical")
    ).count() == (TINY.typical_contacts)
    assert book("single").count() == 1
    assert AddressBook.objects.filter(owner__handle="bench-addressbook").exists()
    assert Label.objects.filter(owner__handle="bench-addressbook").count() == 12
    on_rapport = ContactEmail.objects.filter(value__endswith="@bench.example.org")
    assert on_rapport.exists(), "some cards carry a member's email"
    names = book("addressbook").exclude(shown_name="").count()
    assert names == TINY.addressbook_contacts, "every card has a derived name"
    assert not book("addressbook").filter(sort_name="").exists()


def test_tiny_seed_keeps_the_network_rules(tiny):
    """Both rows of every connection; nobody invites or blocks a connection."""
    from django.db.models import Exists, F, OuterRef, Q
    from django.utils import timezone

    from connections.models import Block, Connection, ConnectionRequest

    reverse_row = Connection.objects.filter(
        member=OuterRef("other"), other=OuterRef("member")
    )
    assert not Connection.objects.exclude(Exists(reverse_row)).exists()
    connected = Connection.objects.filter(
        member=OuterRef("sender"), other=OuterRef("recipient")
    )
    assert not ConnectionRequest.objects.pending().filter(Exists(connected)).exists()
    blocked_connection = Connection.objects.filter(
        member=OuterRef("blocker"), other=OuterRef("blocked")
    )
    assert not Block.objects.filter(Exists(blocked_connection)).exists()
    answered_early = ConnectionRequest.objects.exclude(status="pending").filter(
        Q(responded__lt=F("created")) | Q(responded__gt=timezone.now())
    )
    assert not answered_early.exists()


def test_seed_reuses_a_database_with_the_same_fingerprint(tiny):
    first = snapshot()
    again = ensure_seeded(size=TINY, seed=7)
    assert again.reused
    assert again.counts == tiny.counts
    assert snapshot() == first


def test_seed_is_deterministic_and_depends_on_the_seed(tiny):
    first = snapshot()
    rebuilt = ensure_seeded(size=TINY, seed=7, force=True)
    assert not rebuilt.reused
    assert snapshot() == first
    other = ensure_seeded(size=TINY, seed=8)
    assert not other.reused
    assert snapshot() != first
    assert User.objects.count() == TINY.members
    assert read_fingerprint()["fingerprint"]["seed"] == 8


def test_seed_rebuilds_when_a_step_changes(tiny, monkeypatch):
    from contacts.perf import seed

    steps = list(seed.STEPS)
    monkeypatch.setattr(seed, "STEPS", steps)

    @seed_step("extra")
    def seed_extra(ctx: SeedContext) -> int:
        return len(ctx.member_ids)

    outcome = ensure_seeded(size=TINY, seed=7)
    assert not outcome.reused
    assert outcome.counts["extra"] == TINY.members
    assert list(outcome.counts)[0] == "members"


def secondary_indexes(table):
    constraints = connection.introspection.get_constraints(connection.cursor(), table)
    return {
        name
        for name, about in constraints.items()
        if about["index"] and not about["primary_key"] and not about["unique"]
    }


def test_a_bulk_load_drops_the_secondary_indexes_and_builds_them_again(db):
    from connections.models import Connection

    table = Connection._meta.db_table
    before = secondary_indexes(table)
    assert "connection_recent_idx" in before
    with indexes_dropped(Connection):
        assert not secondary_indexes(table)
    assert secondary_indexes(table) == before


def test_rows_inserted_as_tuples_take_the_defaults_of_other_columns(tiny):
    from django.utils import timezone

    from connections.models import Connection

    ctx = SeedContext(size=TINY, seed=7, now=timezone.now())
    a, b = User.objects.order_by("pk").values_list("pk", flat=True)[:2]
    Connection.objects.filter(member__in=[a, b], other__in=[a, b]).delete()
    moment = timezone.now().replace(microsecond=0)
    rows = [(a, b, moment), (b, a, moment)]
    assert ctx.insert(Connection, ["member", "other", "created"], rows) == 2
    row = Connection.objects.get(member=a, other=b)
    assert (row.created, row.kind, row.note, row.depth, row.depth_given) == (
        moment,
        "",
        "",
        0.0,
        0.0,
    )
    assert row.last_interaction is None


def test_seed_step_names_are_unique():
    with pytest.raises(ValueError, match="already exists"):
        seed_step("members")(lambda ctx: 0)


def test_seed_refuses_a_database_it_did_not_create(alice):
    with pytest.raises(ForeignDatabase):
        ensure_seeded(size=TINY, seed=7)
    assert User.objects.count() == 1


def test_commands_refuse_settings_other_than_the_benchmark_ones(db):
    with pytest.raises(CommandError, match="config.settings.bench"):
        call_command("seed_perf", "--size", "tiny")
    with pytest.raises(CommandError, match="config.settings.bench"):
        call_command("bench", "--size", "tiny")


# --- The in-process runner -----------------------------------------------------


@pytest.mark.bench
@pytest.mark.urls("contacts.perf.urls")
def test_every_registered_page_costs_the_same_queries_whatever_the_viewer(tiny):
    """Every page of the registry, for each of its viewers (slow: run with
    `pytest -m bench`, as CI does before `make bench`)."""
    run = run_in_process(PAGES, rounds=1, warmup=0, seed=1, big_tables=BIG)
    figures = {figure.name: figure for figure in run.figures()}
    for page in PAGES:
        counted = figures[f"queries.{page.name}"]
        assert counted.target == page.query_budget
        assert figures[f"queries.{page.name}.spread"].passed, (page.name, counted)
        assert figures[f"time.{page.name}.p50"].value > 0
        assert figures[f"time.{page.name}.p50"].target == page.ratio_target
        assert f"plan.{page.name}" in figures
    assert figures["queries.bare"].value == 2
    assert {name for name in figures if name.startswith("plan.hot.")} == {
        f"plan.hot.{query.name}" for query in HOT_QUERIES
    }
    assert figures["operation.suggestions-hub.ms"].target == 15
    assert "profile-of-hub" in run.table()


@pytest.mark.urls("contacts.perf.urls")
def test_runner_flags_queries_that_depend_on_the_viewer(tiny):
    page = Page(
        "profile-any",
        profile_of("typical"),
        "single",
        Kind.PAGE,
        query_budget=7,
        query_viewers=(None, "single", "typical"),
    )
    run = run_in_process(
        [page], rounds=0, warmup=0, seed=1, big_tables=BIG, operations=[]
    )
    figures = {figure.name: figure for figure in run.figures()}
    # Signed in: session, member, the profile with its relationship, its work
    # history (members may see it), the navigation badges, the member's
    # updates and the depth of the connection (none on one's own profile);
    # signed out, the profile and its updates.
    assert figures["queries.profile-any"].detail == {
        "visitor": 2,
        "single": 7,
        "typical": 6,
    }
    assert figures["queries.profile-any.spread"].value == 5
    assert figures["queries.profile-any.spread"].passed is False
    assert figures["queries.profile-any"].passed
    assert "FAIL queries" in run.table()


@pytest.mark.urls("contacts.perf.urls")
def test_runner_flags_a_page_over_its_query_budget(tiny):
    page = Page(
        "home-tight", url("connections:settings"), "typical", Kind.PAGE, query_budget=1
    )
    run = run_in_process(
        [page], rounds=0, warmup=0, seed=1, big_tables=BIG, operations=[]
    )
    figures = {figure.name: figure for figure in run.figures()}
    assert figures["queries.home-tight"].value == 3  # session, member, badges
    assert figures["queries.home-tight"].passed is False
    assert figures["queries.home-tight.spread"].passed
    assert "time.profile-any.p50" not in figures


@pytest.mark.urls("contacts.perf.urls")
def test_actions_are_measured_and_their_writes_rolled_back(tiny):
    add_email = Page(
        "add-email",
        url("account_email"),
        "typical",
        Kind.FRAGMENT,
        query_budget=20,
        status=302,
        post=lambda cast: {"action_add": "", "email": "second@example.org"},
    )
    assert not add_email.under_load
    emails = EmailAddress.objects.count()
    run = run_in_process(
        [add_email], rounds=2, warmup=0, seed=1, big_tables=BIG, operations=[]
    )
    figures = {figure.name: figure for figure in run.figures()}
    assert EmailAddress.objects.count() == emails
    counted = figures["queries.add-email"]
    assert counted.value > 2, "the insert and its checks are counted"
    assert any(
        statement.upper().startswith("INSERT") and "account_emailaddress" in statement
        for statement in run.pages[0].statements
    )
    assert not any(
        "SAVEPOINT" in statement.upper() for statement in run.pages[0].statements
    )
    assert figures["time.add-email.p50"].value > 0


@pytest.mark.urls("contacts.perf.urls")
def test_runner_stops_on_a_page_that_does_not_answer_as_declared(tiny):
    missing = Page(
        "gone", lambda cast: "/in/nobody-here/", "typical", Kind.PAGE, query_budget=3
    )
    with pytest.raises(PageError, match="gone .* answered 404"):
        run_in_process(
            [missing], rounds=1, warmup=0, seed=1, big_tables=BIG, operations=[]
        )


@pytest.mark.urls("contacts.perf.urls")
def test_a_page_may_answer_a_status_that_depends_on_the_data(tiny):
    seen = []

    def status_of(cast):
        seen.append(cast.typical.handle)
        return 404

    missing = Page(
        "gone",
        lambda cast: "/in/nobody-here/",
        "typical",
        Kind.PAGE,
        query_budget=3,
        status_of=status_of,
    )
    run_in_process([missing], rounds=1, warmup=0, seed=1, big_tables=BIG, operations=[])
    assert seen == ["bench-typical"], "worked out once, before any measurement"


@pytest.mark.urls("contacts.perf.urls")
def test_the_hub_at_the_connection_limit_is_refused_in_the_connect_dialog(
    tiny, settings
):
    from contacts.perf.pages import PAGES

    connect_hub = next(page for page in PAGES if page.name == "connect-hub")
    cast = Cast.load(role_names(TINY))
    assert connect_hub.expected_status(cast) == 200
    settings.RAPPORT_CONNECTIONS_MAX = TINY.hub_connections
    assert connect_hub.expected_status(cast) == 422
    run_in_process(
        [connect_hub], rounds=1, warmup=0, seed=1, big_tables=BIG, operations=[]
    )


@pytest.mark.urls("contacts.perf.urls")
def test_runner_compares_a_deep_page_with_its_first_page(tiny):
    first = Page("first", url("home"), "typical", Kind.LIST, query_budget=2)
    deep = Page(
        "deep",
        url("connections:settings"),
        "typical",
        Kind.DEEP,
        query_budget=2,
        baseline="first",
    )
    run = run_in_process(
        [first, deep], rounds=3, warmup=0, seed=1, big_tables=BIG, operations=[]
    )
    figures = {figure.name: figure for figure in run.figures()}
    compared = figures["time.deep.vs_first"]
    assert compared.target == 1.5
    assert compared.value == pytest.approx(run.pages[1].p50 / run.pages[0].p50)
    assert "≤1.5" in run.table()


@pytest.mark.urls("contacts.perf.urls")
def test_operations_are_timed_and_rolled_back(tiny):
    def add_member(cast):
        User.objects.create_user(email="new@example.org", display_name="New Member")
        return [bytearray(2**20)]

    operation = Operation("add-member", add_member, "typical", max_ms=60_000)
    run = run_in_process(
        [], rounds=0, warmup=0, seed=1, big_tables=BIG, operations=[operation]
    )
    figures = {figure.name: figure for figure in run.figures()}
    assert not User.objects.filter(email="new@example.org").exists()
    assert figures["operation.add-member.ms"].passed
    assert figures["operation.add-member.peak_memory"].value >= 1


@pytest.mark.urls("contacts.perf.urls")
def test_the_archive_operation_reads_the_inbox_members_whole_archive(tiny):
    (operation,) = [op for op in OPERATIONS if op.name == "archive-inbox"]
    run = run_in_process(
        [], rounds=0, warmup=0, seed=1, big_tables=BIG, operations=[operation]
    )
    figures = {figure.name: figure for figure in run.figures()}
    assert figures["operation.archive-inbox.peak_memory"].passed
    inbox = User.objects.get(handle="bench-inbox")
    assert archive_bytes(inbox) > 1000


@pytest.mark.urls("contacts.perf.urls")
def test_sessions_opened_for_the_run_are_closed(tiny):
    from django.contrib.sessions.models import Session

    run_in_process(PAGES[:3], rounds=1, warmup=0, seed=1, big_tables=BIG, operations=[])
    assert not Session.objects.exists()


def test_cast_names_missing_roles(tiny):
    with pytest.raises(LookupError, match="big-09"):
        Cast.load({"hub", "big-09"})
    cast = Cast.load({"hub", "big-02"})
    assert cast.hub.handle == "bench-hub"
    assert cast["big-02"].handle == "bench-big-02"
    with pytest.raises(AttributeError):
        cast.typical  # noqa: B018 - not loaded


# --- Plans ---------------------------------------------------------------------

PG_PLAN = [
    "Limit  (cost=0.00..123.47 rows=5 width=224)",
    "  ->  Seq Scan on connections_user  (cost=0.00..889.00 rows=36 width=224)",
    "        Filter: ((headline)::text = 'x'::text)",
    "  ->  Index Scan using account_emailaddress_email on account_emailaddress u1",
    "  ->  Parallel Seq Scan on django_session",
]


def test_postgresql_sequential_scans_are_found():
    assert plans.full_scans(PG_PLAN, "", "postgresql") == {
        "connections_user",
        "django_session",
    }


def test_sqlite_table_scans_are_found_through_aliases():
    sql = (
        'SELECT * FROM "connections_user" INNER JOIN "account_emailaddress" T2 '
        'ON (T2.user_id = id) WHERE id IN (SELECT U0."user_id" FROM '
        '"django_session" U0)'
    )
    plan = [
        "SCAN T2",
        "SEARCH connections_user USING INTEGER PRIMARY KEY (rowid=?)",
        "LIST SUBQUERY 1",
        "SCAN U0 USING COVERING INDEX some_index",
    ]
    assert plans.full_scans(plan, sql, "sqlite") == {"account_emailaddress"}


def test_only_reads_and_writes_are_explained():
    assert plans.explainable("SELECT 1")
    assert plans.explainable('  UPDATE "x" SET a = 1')
    assert not plans.explainable('INSERT INTO "x" VALUES (1)')
    assert not plans.explainable('SAVEPOINT "s1"')
    assert not plans.explainable("")


def test_scans_of_big_tables_are_reported_with_their_plan(tiny):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        list(User.objects.filter(headline="Nobody has this headline"))
        list(EmailAddress.objects.filter(email="x@example.org", verified=True))
    statements = [query["sql"] for query in captured]
    found = plans.scans_of_big_tables(statements + statements, BIG)
    assert [scan["tables"] for scan in found][:1] == ["connections_user"]
    assert found[0]["plan"]
    assert plans.scans_of_big_tables(statements, {"django_session"}) == []
    if connection.vendor == "sqlite":  # PostgreSQL scans tiny tables anyway
        assert len(found) == 1


# --- Under load ----------------------------------------------------------------

WRK_OUTPUT = """\
Running 3s test @ http://127.0.0.1:40123/network/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.77ms    1.90ms  27.40ms   80.39%
    Req/Sec   410.43     30.14   464.00     76.00%
  Latency Distribution
     50%    9.40ms
     75%   10.30ms
     90%   11.69ms
     99%    1.20s
  1228 requests in 3.00s, 1.03MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 12
Requests/sec:    408.87
Transfer/sec:    210.63KB
Unexpected status: 12
"""


def test_wrk_output_is_read_with_its_units_and_errors():
    result = parse_wrk(WRK_OUTPUT)
    assert result.requests_per_second == 408.87
    assert result.p99_ms == 1200.0
    assert result.requests == 1228
    assert result.errors == 15


def test_wrk_redirects_count_as_errors_only_through_the_status_script():
    plain = WRK_OUTPUT.replace("Unexpected status: 12\n", "").replace(
        "     99%    1.20s", "     99%  850.00us"
    )
    result = parse_wrk(plain)
    assert result.errors == 15
    assert result.p99_ms == pytest.approx(0.85)


def test_wrk_output_without_figures_is_an_error():
    with pytest.raises(LoadError):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def test_load_figures_divide_by_the_bare_view():
    def loaded(page, *rps):
        return LoadResult(
            page, "/", {}, [WrkResult(value, 20.0, 100, 0) for value in rps]
        )

    hub = Page("hub-page", url("home"), "hub", Kind.HUB, query_budget=2)
    ordinary = Page("plain", url("home"), "typical", Kind.PAGE, query_budget=2)
    run = LoadRun(
        loaded(BARE, 1000, 900, 1100),
        [loaded(hub, 60, 40, 55), loaded(ordinary, 90, 95, 99)],
    )
    figures = {figure.name: figure for figure in run.figures()}
    assert figures["http.hub-page.rps_ratio"].value == pytest.approx(0.055)
    assert figures["http.hub-page.rps_ratio"].passed
    assert figures["http.plain.rps_ratio"].value == pytest.approx(0.095)
    assert figures["http.plain.rps_ratio"].passed is False
    assert figures["http.plain.errors"].passed
    assert "hub-page" in run.table()


@pytest.mark.django_db(transaction=True)
def test_import_and_export_figures_come_from_real_imports():
    measured = measure_imports(contacts=40, seed=3)
    for kind in ("vcard", "csv"):
        done = measured[kind]
        assert done["parse_seconds"] > 0
        assert done["import_seconds"] > done["parse_seconds"] / 10
        steps = done["read_seconds"] + done["save_seconds"]
        assert steps == pytest.approx(done["import_seconds"], abs=0.005)
        assert done["read_seconds"] > 0
        assert done["save_seconds"] > 0
        assert done["export_mib"] > 0
        assert done["peak_mib"] > 0
    figures = {figure.name: figure for figure in import_figures(measured)}
    assert figures["import.vcard.vs_parse"].target == 1.5
    assert figures["import.csv.seconds"].target == 3.0
    assert figures["import.csv.save_seconds"].target is None
    assert "save s" in import_table(measured)
    assert figures["export.csv.peak_memory"].target == 300
    assert "vcard" in import_table(measured)
    assert not Contact.objects.filter(owner__email__endswith="@bench.invalid").exists()


@pytest.mark.urls("contacts.perf.urls")
def test_an_action_counts_its_own_queries_not_the_rolled_back_transaction(tiny):
    """The theme switch reads the session and the member (for the suspension
    check), whatever the database; the benchmark's transaction is not its."""
    theme = next(page for page in PAGES if page.name == "theme-switch")
    run = run_in_process(
        [theme], rounds=0, warmup=0, seed=1, big_tables=BIG, operations=[]
    )
    figures = {figure.name: figure for figure in run.figures()}
    assert figures["queries.theme-switch"].value == 2 == theme.query_budget
    assert figures["queries.theme-switch"].passed
    assert figures["queries.theme-switch.spread"].passed
    assert not any(
        statement.lstrip().upper().startswith(("BEGIN", "ROLLBACK"))
        for statement in run.pages[0].statements
    )


def test_only_the_wrapping_transaction_is_left_out():
    statements = ["BEGIN IMMEDIATE", "SELECT 1", "COMMIT", "SELECT 2", "ROLLBACK"]
    assert without_wrapper(statements) == ["SELECT 1", "COMMIT", "SELECT 2"]
    assert without_wrapper(["SELECT 1", "ROLLBACK"]) == ["SELECT 1"]  # PostgreSQL
    assert without_wrapper(["SELECT 1"]) == ["SELECT 1"]
