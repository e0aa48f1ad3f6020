"""GitHub's REST API (github.com or GitHub Enterprise Server), with the standard library's HTTP client.

Requests follow GitHub's documentation: ``Accept: application/vnd.github+json``,
``X-GitHub-Api-Version: 2022-11-28``, ``Authorization: Bearer TOKEN``, a ``User-Agent``, JSON
bodies. Rate limits: a 403/429 with ``retry-after`` waits that long; one with
``x-ratelimit-remaining: 0`` waits until ``x-ratelimit-reset``; a secondary limit without either
waits a minute; every wait is bounded by ``max_wait`` for the whole request, past which
:class:`ForgeRateLimited` says when to retry (a command never hangs on a rate limit).

Redirects are followed only to the same scheme, host and port, so the token never goes elsewhere;
plain ``http`` is accepted only for loopback hosts (tests, local proxies).
"""

from __future__ import annotations

import dataclasses
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from email.message import Message
from typing import Any

from blue_tui import __version__
from blue_tui.core.config import is_loopback
from blue_tui.core.realm.credentials import Secret
from blue_tui.core.realm.forge.base import (
    MERGE_METHODS,
    ForgeAuthError,
    ForgeConflict,
    ForgeError,
    ForgeNotFound,
    ForgeRateLimited,
    ForgeUnreachable,
    PrRequest,
    PullRequest,
    RepoRef,
)

DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"
SECONDARY_DEFAULT_WAIT = 60.0


def api_url_for_host(host: str) -> str:
    """github.com -> api.github.com; a GitHub Enterprise host -> ``https://HOST/api/v3``."""
    return DEFAULT_API if host in ("github.com", "www.github.com") else f"https://{host}/api/v3"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # handled by GitHub._send: same-origin only


def _origin(url: str) -> tuple[str, str, int | None]:
    p = urllib.parse.urlsplit(url)
    return p.scheme, (p.hostname or "").lower(), p.port


class GitHub:
    kind = "github"

    def __init__(
        self,
        api_url: str,
        token: Secret | None,
        *,
        timeout: float = 15.0,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        api_url = api_url.rstrip("/")
        scheme, host, _ = _origin(api_url)
        if scheme not in ("https", "http") or not host:
            raise ForgeError(
                f"GitHub API URL {api_url!r} is not an http(s) URL", hint="set BLUE_GITHUB_API_URL"
            )
        if scheme == "http" and not is_loopback(api_url):
            raise ForgeError(
                f"refusing plain http for the GitHub API at {api_url} (the token would travel in clear)",
                hint="use https (GitHub Enterprise: https://HOST/api/v3)",
            )
        self.api_url = api_url
        self._token = token
        self.timeout = timeout
        self.max_wait = max_wait
        self.sleep = sleep
        self.clock = clock
        self._opener = urllib.request.build_opener(_NoRedirect())

    def __repr__(self) -> str:
        return f"<GitHub api={self.api_url} token={'set' if self._token else 'none'}>"

    # ---- transport --------------------------------------------------------------------------------

    def _headers(self, has_body: bool) -> dict[str, str]:
        if not self._token:
            raise ForgeAuthError(
                f"no GitHub token for {self.api_url}",
                hint="set BLUE_GITHUB_TOKEN (or see `blue realm credentials status`)",
            )
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"blue-tui/{__version__}",
            "Authorization": f"Bearer {self._token.reveal()}",
        }
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    def _send(self, method: str, url: str, data: bytes | None) -> tuple[int, Message, bytes]:
        origin = _origin(url)
        for _ in range(4):
            # http(s) only: the scheme is checked in __init__ and on every redirect
            req = urllib.request.Request(  # noqa: S310
                url, data=data, method=method, headers=self._headers(data is not None)
            )
            try:
                with self._opener.open(req, timeout=self.timeout) as resp:
                    return resp.status, resp.headers, resp.read()
            except urllib.error.HTTPError as exc:
                body = exc.read()
                if exc.code in (301, 302, 307, 308):
                    location = urllib.parse.urljoin(url, exc.headers.get("Location", ""))
                    if _origin(location) != origin:
                        raise ForgeError(
                            f"GitHub at {self.api_url} redirected {method} {_path(url)} to another host; "
                            "not followed (the token would go along)",
                            status=exc.code,
                        ) from None
                    url = location
                    continue
                return exc.code, exc.headers, body
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise ForgeUnreachable(
                    f"cannot reach GitHub at {self.api_url} ({reason})",
                    hint="check the network and BLUE_GITHUB_API_URL",
                ) from None
        raise ForgeError(f"GitHub at {self.api_url}: too many redirects for {method} {_path(url)}")

    def _wait_for(self, status: int, headers: Message, message: str) -> float | None:
        """Seconds to wait before retrying a rate-limited answer, or None if it is not one."""
        if status not in (403, 429):
            return None
        retry_after = headers.get("retry-after")
        if retry_after is not None:
            try:
                return max(0.0, float(retry_after))
            except ValueError:
                return SECONDARY_DEFAULT_WAIT
        if headers.get("x-ratelimit-remaining") == "0":
            try:
                return max(0.0, float(headers.get("x-ratelimit-reset", "0")) - self.clock())
            except ValueError:
                return SECONDARY_DEFAULT_WAIT
        if status == 429 or "rate limit" in message.lower():
            return SECONDARY_DEFAULT_WAIT
        return None

    def request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        query: Mapping[str, str] | None = None,
        what: str = "",
    ) -> tuple[int, Any]:
        """One API call, rate limits waited out within ``max_wait``; ``(status, parsed JSON)``.

        Errors: 401 -> ForgeAuthError, 403 (not a rate limit) -> ForgeAuthError, 404 -> ForgeNotFound;
        other 4xx/5xx are returned for the caller to judge, except 5xx, which raise ForgeError."""
        url = self.api_url + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = json.dumps(body).encode() if body is not None else None
        waited = 0.0
        while True:
            status, headers, raw = self._send(method, url, data)
            parsed = _json(raw)
            message = _message(parsed)
            wait = self._wait_for(status, headers, message)
            if wait is None:
                break
            if waited + wait > self.max_wait:
                raise ForgeRateLimited(
                    f"GitHub rate limit on {method} {path}: asked to wait {wait:.0f} s"
                    + (f" ({message})" if message else ""),
                    retry_after=wait,
                    hint=f"run the command again in {max(1, round(wait))} s",
                )
            self.sleep(wait)
            waited += wait
        label = what or f"{method} {path}"
        if status == 401:
            raise ForgeAuthError(
                f"GitHub refused the token for {label} (401 {message or 'Bad credentials'})",
                hint="the token is wrong or expired; see `blue realm credentials status`",
                status=401,
            )
        if status == 403:
            raise ForgeAuthError(
                f"GitHub refused {label} (403 {message or 'Forbidden'})",
                hint="the token lacks a permission (pull requests: read and write; contents: write)",
                status=403,
            )
        if status == 404:
            raise ForgeNotFound(
                f"GitHub has no {label} (404 {message or 'Not Found'}), or the token cannot see it",
                hint="check the repo's url in the realm and the token's access",
                status=404,
            )
        if status >= 500:
            raise ForgeError(
                f"GitHub failed {label} ({status} {message})", status=status, hint="try again later"
            )
        return status, parsed

    # ---- the Forge interface -------------------------------------------------------------------------

    def _slug(self, repo: RepoRef) -> str:
        if not repo.slug:
            raise ForgeError(
                f"repo {repo.name!r} has no GitHub owner/name (its url is {repo.url or 'not set'})",
                hint=f"set its url in repos/{repo.name}.yaml (`blue realm admin join --update --url URL`)",
            )
        return repo.slug

    def _pr(self, repo: RepoRef, d: Any, notes: tuple[str, ...] = ()) -> PullRequest:
        if not isinstance(d, dict) or not isinstance(d.get("number"), int):
            raise ForgeError(f"GitHub answered with something that is not a pull request for {repo.name}")
        merged = bool(d.get("merged")) or bool(d.get("merged_at"))
        state = "merged" if merged else str(d.get("state") or "open")
        reviewers = tuple(
            str(r.get("login"))
            for r in d.get("requested_reviewers") or ()
            if isinstance(r, dict) and r.get("login")
        )
        return PullRequest(
            repo=repo.name,
            number=int(d["number"]),
            url=str(d.get("html_url") or ""),
            title=str(d.get("title") or ""),
            head=str((d.get("head") or {}).get("ref") or ""),
            base=str((d.get("base") or {}).get("ref") or ""),
            state=state,
            forge=self.kind,
            mergeable=d.get("mergeable") if isinstance(d.get("mergeable"), bool) else None,
            reviewers=reviewers,
            notes=notes,
        )

    def find_open(self, repo: RepoRef, head: str) -> PullRequest | None:
        slug = self._slug(repo)
        owner = slug.split("/")[0]
        _, found = self.request(
            "GET",
            f"/repos/{slug}/pulls",
            query={"head": f"{owner}:{head}", "state": "open"},
            what=f"pull requests of {slug}",
        )
        if isinstance(found, list) and found:
            return self._pr(repo, found[0])
        return None

    def open_pr(self, repo: RepoRef, request: PrRequest) -> PullRequest:
        slug = self._slug(repo)
        body = {
            "title": request.title,
            "head": request.head,
            "base": request.base,
            "body": request.body,
            "draft": request.draft,
        }
        status, data = self.request("POST", f"/repos/{slug}/pulls", body, what=f"repository {slug}")
        if status == 422:
            existing = self.find_open(repo, request.head) if "already exists" in _details(data) else None
            if existing is None:
                raise ForgeConflict(
                    f"GitHub refused the pull request {request.head} -> {request.base} in {slug} "
                    f"(422 {_details(data)})",
                    hint="check that the branch was pushed and has commits the base does not",
                    status=422,
                )
            pr = self.update_pr(repo, existing.number, body=request.body)
        elif status != 201:
            raise ForgeError(f"GitHub answered {status} to creating a pull request in {slug}", status=status)
        else:
            pr = self._pr(repo, data)
        notes: list[str] = []
        wanted = [r for r in request.reviewers if r not in pr.reviewers]
        if wanted:
            status, data = self.request(
                "POST",
                f"/repos/{slug}/pulls/{pr.number}/requested_reviewers",
                {"reviewers": wanted},
                what=f"reviewers of {slug}#{pr.number}",
            )
            if status in (200, 201):
                pr = self._pr(repo, data)
            else:
                notes.append(f"GitHub did not add reviewers {', '.join(wanted)} ({status} {_details(data)})")
        return dataclasses.replace(pr, notes=tuple(notes))

    def get_pr(self, repo: RepoRef, number: int) -> PullRequest:
        slug = self._slug(repo)
        _, data = self.request("GET", f"/repos/{slug}/pulls/{number}", what=f"pull request {slug}#{number}")
        return self._pr(repo, data)

    def update_pr(self, repo: RepoRef, number: int, *, body: str) -> PullRequest:
        slug = self._slug(repo)
        status, data = self.request(
            "PATCH", f"/repos/{slug}/pulls/{number}", {"body": body}, what=f"pull request {slug}#{number}"
        )
        if status != 200:
            raise ForgeConflict(
                f"GitHub refused to update {slug}#{number} ({status} {_details(data)})", status=status
            )
        return self._pr(repo, data)

    def merge_pr(self, repo: RepoRef, number: int, *, method: str = "merge") -> PullRequest:
        if method not in MERGE_METHODS:
            raise ForgeError(f"unknown merge method {method!r} (one of {', '.join(MERGE_METHODS)})")
        slug = self._slug(repo)
        status, data = self.request(
            "PUT",
            f"/repos/{slug}/pulls/{number}/merge",
            {"merge_method": method},
            what=f"pull request {slug}#{number}",
        )
        if status != 200 or not (isinstance(data, dict) and data.get("merged")):
            raise ForgeConflict(
                f"GitHub did not merge {slug}#{number} ({status} {_details(data) or 'not merged'})",
                hint="see the pull request's checks and conflicts on GitHub",
                status=status,
            )
        return self.get_pr(repo, number)

    def record_plan(self, name: str, plan: dict[str, Any]) -> str | None:
        return None  # the PR bodies carry the plan on GitHub


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _clean(text: str, limit: int = 300) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in text)[:limit]


def _message(data: Any) -> str:
    return _clean(str(data.get("message") or "")) if isinstance(data, dict) else ""


def _details(data: Any) -> str:
    """GitHub's message plus its ``errors[].message`` (422s put the reason there)."""
    parts = [_message(data)] if _message(data) else []
    if isinstance(data, dict):
        for err in data.get("errors") or ():
            if isinstance(err, dict) and err.get("message"):
                parts.append(_clean(str(err["message"])))
            elif isinstance(err, dict) and err.get("code"):
                parts.append(_clean(f"{err.get('field', '')} {err['code']}".strip()))
    return "; ".join(parts)


def _path(url: str) -> str:
    return urllib.parse.urlsplit(url).path
