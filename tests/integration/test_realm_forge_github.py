"""The GitHub forge against a loopback server that checks requests the way GitHub's REST API does."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from github_fake import FakeGitHub
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from blue_tui.core.realm.credentials import Secret
from blue_tui.core.realm.forge import (
    ForgeAuthError,
    ForgeConflict,
    ForgeError,
    ForgeNotFound,
    ForgeRateLimited,
    PrRequest,
    repo_ref,
)
from blue_tui.core.realm.forge.github import GitHub, api_url_for_host

pytestmark = pytest.mark.integration
TOKEN = "ghp_T0kenThatMustNeverBePrinted0000000000"
REPO = repo_ref("aperture", "git@github.com:org/aperture.git")


@pytest.fixture
def fake(httpserver: HTTPServer) -> Iterator[FakeGitHub]:
    gh = FakeGitHub(httpserver, TOKEN, repos={"org/aperture"}, collaborators={"octocat"}).install()
    yield gh
    assert gh.problems == []


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def time(self) -> float:
        return self.now


def client(
    fake: FakeGitHub, clock: Clock | None = None, *, token: str | None = TOKEN, max_wait: float = 30
) -> GitHub:
    clock = clock or Clock()
    return GitHub(
        fake.url, Secret(token) if token else None, max_wait=max_wait, sleep=clock.sleep, clock=clock.time
    )


def test_open_sends_what_github_documents_and_requests_reviewers(fake: FakeGitHub) -> None:
    pr = client(fake).open_pr(REPO, PrRequest("RFC x", "the body", "rfc/x", "main", reviewers=("octocat",)))
    assert (pr.number, pr.state, pr.head, pr.base, pr.forge) == (1, "open", "rfc/x", "main", "github")
    assert pr.url == "https://github.com/org/aperture/pull/1" and pr.reviewers == ("octocat",)
    create, reviewers = fake.seen
    assert (create.method, create.path) == ("POST", "/repos/org/aperture/pulls")
    assert create.body == {
        "title": "RFC x",
        "head": "rfc/x",
        "base": "main",
        "body": "the body",
        "draft": False,
    }
    assert create.headers["Authorization"] == f"Bearer {TOKEN}"
    assert create.headers["User-Agent"].startswith("blue-tui/")
    assert (reviewers.method, reviewers.path, reviewers.body) == (
        "POST",
        "/repos/org/aperture/pulls/1/requested_reviewers",
        {"reviewers": ["octocat"]},
    )


def test_a_reviewer_github_refuses_is_a_note_not_a_failure(fake: FakeGitHub) -> None:
    pr = client(fake).open_pr(REPO, PrRequest("t", "b", "rfc/x", "main", reviewers=("stranger",)))
    assert pr.number == 1 and "not a collaborator" in pr.notes[0]


def test_an_existing_pr_is_found_and_updated(fake: FakeGitHub) -> None:
    gh = client(fake)
    first = gh.open_pr(REPO, PrRequest("t", "old body", "rfc/x", "main"))
    again = gh.open_pr(REPO, PrRequest("t", "new body", "rfc/x", "main"))
    assert again.number == first.number
    methods = [(s.method, s.path, s.query) for s in fake.seen[1:]]
    assert methods == [
        ("POST", "/repos/org/aperture/pulls", {}),
        ("GET", "/repos/org/aperture/pulls", {"head": "org:rfc/x", "state": "open"}),
        ("PATCH", "/repos/org/aperture/pulls/1", {}),
    ]
    assert fake.seen[-1].body == {"body": "new body"}
    assert fake.pulls["org/aperture"][0]["body"] == "new body"


def test_422_and_404_and_401_become_clear_errors_without_the_token(fake: FakeGitHub) -> None:
    with pytest.raises(ForgeConflict, match="No commits between main and main") as conflict:
        client(fake).open_pr(REPO, PrRequest("t", "b", "main", "main"))
    assert conflict.value.status == 422
    with pytest.raises(ForgeNotFound, match="org/missing") as missing:
        client(fake).open_pr(
            repo_ref("missing", "https://github.com/org/missing.git"), PrRequest("t", "b", "x", "main")
        )
    assert missing.value.status == 404 and "token" in (missing.value.hint or "") + str(missing.value)
    with pytest.raises(ForgeAuthError, match="Bad credentials") as bad:
        client(fake, token="ghp_wrong").get_pr(REPO, 1)
    for err in (conflict.value, missing.value, bad.value):
        assert TOKEN not in f"{err} {err.hint} {err!r}" and "ghp_wrong" not in f"{err} {err.hint}"
    count = len(fake.seen)
    with pytest.raises(ForgeAuthError, match="no GitHub token"):
        client(fake, token=None).get_pr(REPO, 1)
    assert len(fake.seen) == count  # nothing was sent without a token
    assert TOKEN not in repr(client(fake))


def test_secondary_rate_limit_waits_retry_after_then_succeeds(fake: FakeGitHub) -> None:
    clock = Clock()
    fake.queue.append((403, {"retry-after": "3"}, {"message": "You have exceeded a secondary rate limit."}))
    fake.queue.append((429, {"retry-after": "2"}, {"message": "Too many requests"}))
    pr = client(fake, clock).open_pr(REPO, PrRequest("t", "b", "rfc/x", "main"))
    assert pr.number == 1 and clock.slept == [3.0, 2.0]


def test_primary_rate_limit_waits_until_reset(fake: FakeGitHub) -> None:
    clock = Clock()
    reset = str(int(clock.now) + 7)
    fake.queue.append(
        (
            403,
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
            {"message": "API rate limit exceeded"},
        )
    )
    client(fake, clock).open_pr(REPO, PrRequest("t", "b", "rfc/x", "main"))
    assert clock.slept == [7.0]


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"retry-after": "3600"}, 3600.0),
        ({}, 60.0),
        ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700009999"}, 9999.0),
    ],
)
def test_waits_are_bounded_never_hang(fake: FakeGitHub, headers: dict[str, str], wait: float) -> None:
    clock = Clock()
    fake.queue.append((403, headers, {"message": "You have exceeded a secondary rate limit."}))
    started = time.monotonic()
    with pytest.raises(ForgeRateLimited) as limited:
        client(fake, clock, max_wait=30).open_pr(REPO, PrRequest("t", "b", "rfc/x", "main"))
    assert time.monotonic() - started < 5 and clock.slept == []
    assert limited.value.retry_after == wait and "run the command again in" in (limited.value.hint or "")


def test_waits_add_up_against_the_bound(fake: FakeGitHub) -> None:
    clock = Clock()
    for _ in range(3):
        fake.queue.append((429, {"retry-after": "12"}, {"message": "slow down"}))
    with pytest.raises(ForgeRateLimited):
        client(fake, clock, max_wait=30).get_pr(REPO, 1)
    assert clock.slept == [12.0, 12.0]


def test_merge_and_a_pr_that_cannot_merge(fake: FakeGitHub) -> None:
    gh = client(fake)
    one = gh.open_pr(REPO, PrRequest("t", "b", "rfc/x", "main"))
    two = gh.open_pr(REPO, PrRequest("t", "b", "rfc/y", "main"))
    fake.unmergeable.add(("org/aperture", two.number))
    assert gh.merge_pr(REPO, one.number, method="squash").state == "merged"
    merge = next(s for s in fake.seen if s.method == "PUT")
    assert merge.path == "/repos/org/aperture/pulls/1/merge" and merge.body == {"merge_method": "squash"}
    with pytest.raises(ForgeConflict, match="405 Pull Request is not mergeable"):
        gh.merge_pr(REPO, two.number)
    assert gh.get_pr(REPO, two.number).state == "open"


def test_enterprise_base_url_and_plain_http_only_on_loopback(httpserver: HTTPServer) -> None:
    fake = FakeGitHub(httpserver, TOKEN, prefix="/api/v3", repos={"org/aperture"}).install()
    gh = GitHub(fake.url, Secret(TOKEN))
    assert gh.open_pr(REPO, PrRequest("t", "b", "rfc/x", "main")).number == 1
    assert fake.seen[0].path == "/api/v3/repos/org/aperture/pulls"
    assert api_url_for_host("github.com") == "https://api.github.com"
    assert api_url_for_host("ghe.example.com") == "https://ghe.example.com/api/v3"
    with pytest.raises(ForgeError, match="refusing plain http"):
        GitHub("http://ghe.example.com/api/v3", Secret(TOKEN))


def test_redirects_never_carry_the_token_to_another_host(httpserver: HTTPServer) -> None:
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:
        got: list[Request] = []
        other.expect_request("/elsewhere").respond_with_handler(lambda r: (got.append(r), Response("{}"))[1])
        target = other.url_for("/elsewhere").replace("localhost", "127.0.0.1")
        httpserver.expect_request("/repos/org/aperture/pulls/1").respond_with_response(
            Response(status=302, headers={"Location": target})
        )
        with pytest.raises(ForgeError, match="not followed"):
            GitHub(httpserver.url_for("/").rstrip("/"), Secret(TOKEN)).get_pr(REPO, 1)
        assert got == []
    finally:
        other.stop()
