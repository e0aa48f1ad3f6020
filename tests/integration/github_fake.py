"""A loopback stand-in for GitHub's REST API (pull requests), on pytest-httpserver.

It checks every request the way GitHub documents it (https://docs.github.com/en/rest/pulls):
method and path, ``Accept: application/vnd.github+json``, ``X-GitHub-Api-Version: 2022-11-28``,
a ``User-Agent``, ``Authorization: Bearer TOKEN`` (401 "Bad credentials" otherwise), JSON bodies
with only the documented keys; it answers with GitHub's codes: 201 on create, 422 for an existing
PR or a head without commits, 404 for a repo that does not exist (or is hidden), 405 for a PR that
cannot merge, and 403/429 rate limits with ``retry-after`` or ``x-ratelimit-*`` when told to.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

CREATE_KEYS = {"title", "head", "base", "body", "draft", "head_repo", "issue", "maintainer_can_modify"}
MERGE_KEYS = {"commit_title", "commit_message", "sha", "merge_method"}


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeGitHub:
    server: HTTPServer
    token: str
    prefix: str = ""
    repos: set[str] = field(default_factory=set)
    collaborators: set[str] = field(default_factory=set)
    pulls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    unmergeable: set[tuple[str, int]] = field(default_factory=set)
    #: Forced answers for the next requests: (status, headers, body).
    queue: list[tuple[int, dict[str, str], Any]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def install(self) -> FakeGitHub:
        self.server.expect_request(re.compile(r"^/.*$")).respond_with_handler(self.handle)
        return self

    @property
    def url(self) -> str:
        return self.server.url_for(self.prefix or "/").rstrip("/")

    # ---- helpers ------------------------------------------------------------------------------------

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        return Response(
            json.dumps(body), status=status, headers={"Content-Type": "application/json", **(headers or {})}
        )

    def _pr(self, slug: str, pr: dict[str, Any]) -> dict[str, Any]:
        return {
            "number": pr["number"],
            "html_url": f"https://github.com/{slug}/pull/{pr['number']}",
            "title": pr["title"],
            "body": pr["body"],
            "state": "closed" if pr["merged"] else "open",
            "merged": pr["merged"],
            "merged_at": "2026-01-01T00:00:00Z" if pr["merged"] else None,
            "mergeable": (slug, pr["number"]) not in self.unmergeable,
            "draft": pr["draft"],
            "head": {"ref": pr["head"], "label": f"{slug.split('/', maxsplit=1)[0]}:{pr['head']}"},
            "base": {"ref": pr["base"]},
            "requested_reviewers": [{"login": r} for r in pr["reviewers"]],
        }

    def handle(self, request: Request) -> Response:
        body: Any = None
        if request.data:
            try:
                body = json.loads(request.data)
            except ValueError:
                return self._json(400, {"message": "Problems parsing JSON"})
        self.seen.append(Seen(request.method, request.path, dict(request.args), dict(request.headers), body))
        if request.headers.get("Accept") != "application/vnd.github+json":
            self.problems.append(f"Accept header: {request.headers.get('Accept')}")
        if request.headers.get("X-GitHub-Api-Version") != "2022-11-28":
            self.problems.append("missing X-GitHub-Api-Version")
        if not request.headers.get("User-Agent"):
            return self._json(
                403,
                {
                    "message": "Request forbidden by administrative rules. Please make sure your "
                    "request has a User-Agent header"
                },
            )
        if body is not None and request.headers.get("Content-Type") != "application/json":
            self.problems.append("JSON body without Content-Type: application/json")
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._json(
                401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}
            )
        if self.queue:
            status, headers, answer = self.queue.pop(0)
            return self._json(status, answer, headers)
        path = request.path[len(self.prefix) :] if self.prefix else request.path
        m = re.match(r"^/repos/([^/]+/[^/]+)/pulls(?:/(\d+))?(/requested_reviewers|/merge)?$", path)
        if not m:
            return self._json(404, {"message": "Not Found"})
        slug, number, tail = m.group(1), m.group(2), m.group(3)
        if slug not in self.repos:
            return self._json(
                404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
            )
        pulls = self.pulls.setdefault(slug, [])
        if number is None:
            if request.method == "POST":
                return self._create(slug, pulls, body)
            if request.method == "GET":
                state, head = request.args.get("state", "open"), request.args.get("head", "")
                found = [
                    p
                    for p in pulls
                    if f"{slug.split('/')[0]}:{p['head']}" == head
                    and (state == "all" or (state == "open") != p["merged"])
                ]
                return self._json(200, [self._pr(slug, p) for p in found])
            return self._json(404, {"message": "Not Found"})
        pr = next((p for p in pulls if p["number"] == int(number)), None)
        if pr is None:
            return self._json(404, {"message": "Not Found"})
        if tail == "/requested_reviewers" and request.method == "POST":
            if not isinstance(body, dict) or set(body) - {"reviewers", "team_reviewers"}:
                return self._json(422, {"message": "Validation Failed"})
            unknown = [r for r in body.get("reviewers", []) if r not in self.collaborators]
            if unknown:
                return self._json(
                    422,
                    {
                        "message": "Reviews may only be requested from collaborators. One or more "
                        "of the users or teams you specified is not a collaborator of "
                        f"the {slug} repository."
                    },
                )
            pr["reviewers"] = sorted(set(pr["reviewers"]) | set(body.get("reviewers", [])))
            return self._json(201, self._pr(slug, pr))
        if tail == "/merge" and request.method == "PUT":
            if not isinstance(body, dict) or set(body) - MERGE_KEYS:
                return self._json(422, {"message": "Validation Failed"})
            if (slug, pr["number"]) in self.unmergeable:
                return self._json(405, {"message": "Pull Request is not mergeable"})
            pr["merged"] = True
            return self._json(
                200, {"sha": "0" * 40, "merged": True, "message": "Pull Request successfully merged"}
            )
        if tail is None and request.method == "GET":
            return self._json(200, self._pr(slug, pr))
        if tail is None and request.method == "PATCH":
            if not isinstance(body, dict) or set(body) - {
                "title",
                "body",
                "state",
                "base",
                "maintainer_can_modify",
            }:
                return self._json(422, {"message": "Validation Failed"})
            pr.update({k: v for k, v in body.items() if k in ("title", "body")})
            return self._json(200, self._pr(slug, pr))
        return self._json(404, {"message": "Not Found"})

    def _create(self, slug: str, pulls: list[dict[str, Any]], body: Any) -> Response:
        if not isinstance(body, dict) or set(body) - CREATE_KEYS or not {"head", "base"} <= set(body):
            return self._json(
                422,
                {
                    "message": "Validation Failed",
                    "errors": [{"resource": "PullRequest", "code": "missing_field"}],
                },
            )
        if body["head"] == body["base"]:
            return self._json(
                422,
                {
                    "message": "Validation Failed",
                    "errors": [
                        {
                            "resource": "PullRequest",
                            "code": "custom",
                            "message": f"No commits between {body['base']} and {body['head']}",
                        }
                    ],
                },
            )
        if any(p["head"] == body["head"] and not p["merged"] for p in pulls):
            return self._json(
                422,
                {
                    "message": "Validation Failed",
                    "errors": [
                        {
                            "resource": "PullRequest",
                            "code": "custom",
                            "message": f"A pull request already exists for {slug.split('/', maxsplit=1)[0]}:{body['head']}.",
                        }
                    ],
                },
            )
        pr = {
            "number": len(pulls) + 1,
            "title": body.get("title", ""),
            "body": body.get("body") or "",
            "head": body["head"],
            "base": body["base"],
            "draft": bool(body.get("draft")),
            "merged": False,
            "reviewers": [],
        }
        pulls.append(pr)
        return self._json(201, self._pr(slug, pr))
