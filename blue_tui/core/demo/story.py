"""What the demo realm says: the contracts' schemas (s3-permissions 1.0.0, 1.1.0 and the breaking
2.0.0, detections, run-metrics), the code repos' source files, and the realm files of story steps
1-3 (see :mod:`.workspace` for the story and how it is built)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

S3_V1: dict[str, Any] = {
    "type": "object",
    "required": ["read"],
    "properties": {"read": {"type": "array", "items": {"type": "string"}}},
}
S3_V2: dict[str, Any] = {
    **S3_V1,
    "properties": {
        **S3_V1["properties"],
        "write": {"type": "array", "items": {"type": "string"}, "default": []},
    },
}
S3_V3: dict[str, Any] = {
    "type": "object",
    "required": ["read"],
    "properties": {
        "read": {
            "type": "object",
            "required": ["prefixes"],
            "properties": {"prefixes": {"type": "array", "items": {"type": "string"}}},
        },
        "write": {"type": "array", "items": {"type": "string"}, "default": []},
    },
}
DETECTIONS: dict[str, Any] = {
    "type": "object",
    "required": ["image", "boxes"],
    "properties": {
        "image": {"type": "string"},
        "boxes": {
            "type": "array",
            "items": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
        },
        "label": {"type": "string"},
    },
}
RUN_METRICS: dict[str, Any] = {
    "type": "object",
    "required": ["run", "loss"],
    "properties": {"run": {"type": "string"}, "loss": {"type": "number", "minimum": 0}},
}
SOURCES = {
    "aperture": ["models/training/s3_paths.py", "metrics/export.py"],
    "fungal": ["cdk/access_stack.py", "detect/schema.py"],
    "web": ["src/detections.ts"],
    "notebooks": ["metrics.ipynb"],
}


def _contract(
    name: str, version: str, owner: str, schema: Any, evolution: list[dict[str, Any]], domain: str
) -> dict[str, Any]:
    return {
        "name": name,
        "version": version,
        "owner": owner,
        "description": f"{domain}: {name}",
        "schema": schema,
        "evolution": evolution,
    }


def _s3(version: str, schema: Any) -> dict[str, Any]:
    evolution: list[dict[str, Any]] = [{"version": "1.0.0", "changes": ["Initial: read prefixes"]}]
    if version >= "1.1.0":
        evolution.append({"version": "1.1.0", "changes": ["Optional write list"], "compatible": True})
    return _contract("s3-permissions", version, "aperture", schema, evolution, "s3-access")


def _import(contract: str, rng: str, binding: str, resolved: str, at: str) -> dict[str, Any]:
    return {
        "contract": contract,
        "version": rng,
        "binding": binding,
        "status": "current",
        "resolved_version": resolved,
        "resolved_at": at,
    }


def steps(realm: str, repos: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    """``(commit message, {realm-relative file: YAML data})``, oldest first, for the realm named
    ``realm`` with the code repos ``repos`` (steps 1-3; step 4 is the workspace's breaking change)."""
    s3 = "domains/s3-access"
    img = "domains/image-results"
    tm = "domains/training-metrics"
    return [
        (
            "realm: init demo",
            {
                "realm.yaml": {"name": realm, "version": "1.0.0", "description": "The blue-tui demo realm"},
                ".gitignore": ".blue/\n",
            },
        ),
        (
            "realm: add repos " + ", ".join(repos),
            {
                f"repos/{r}.yaml": {"name": r, "maintainers": [f"{r}@example.com"], "default_branch": "main"}
                for r in repos
            },
        ),
        (
            "realm: add domain s3-access and contract s3-permissions 1.0.0",
            {
                f"{s3}/domain.yaml": {
                    "name": "s3-access",
                    "description": "S3 paths shared by training and analysis",
                    "members": ["aperture", "fungal"],
                    "providers": ["aperture"],
                },
                f"{s3}/contracts/s3-permissions.yaml": _s3("1.0.0", S3_V1),
                f"{s3}/bindings/aperture.yaml": {
                    "repo": "aperture",
                    "role": "provider",
                    "exports": [
                        {"contract": "s3-permissions", "source_files": ["models/training/s3_paths.py"]}
                    ],
                },
                f"{s3}/bindings/fungal.yaml": {
                    "repo": "fungal",
                    "role": "consumer",
                    "imports": [
                        _import(
                            "s3-permissions",
                            ">=1.0.0 <2.0.0",
                            "cdk/access_stack.py",
                            "1.0.0",
                            "2026-01-24T13:00:00Z",
                        )
                    ],
                },
            },
        ),
        (
            "realm: update contract s3-access/s3-permissions 1.0.0 -> 1.1.0 (minor)",
            {
                f"{s3}/contracts/s3-permissions.yaml": _s3("1.1.0", S3_V2),
                f"{s3}/bindings/fungal.yaml": {
                    "repo": "fungal",
                    "role": "consumer",
                    "imports": [
                        _import(
                            "s3-permissions",
                            ">=1.0.0 <2.0.0",
                            "cdk/access_stack.py",
                            "1.1.0",
                            "2026-01-24T14:00:00Z",
                        )
                    ],
                },
            },
        ),
        (
            "realm: add domains image-results and training-metrics",
            {
                f"{img}/domain.yaml": {
                    "name": "image-results",
                    "description": "Detections from fungal, shown by web",
                    "members": ["fungal", "web"],
                },
                f"{img}/contracts/detections.yaml": _contract(
                    "detections",
                    "1.0.0",
                    "fungal",
                    DETECTIONS,
                    [{"version": "1.0.0", "changes": ["Initial"]}],
                    "image-results",
                ),
                f"{img}/bindings/fungal.yaml": {
                    "repo": "fungal",
                    "role": "provider",
                    "exports": [{"contract": "detections", "source_files": ["detect/schema.py"]}],
                },
                f"{img}/bindings/web.yaml": {
                    "repo": "web",
                    "role": "consumer",
                    "imports": [
                        _import("detections", "^1.0.0", "src/detections.ts", "1.0.0", "2026-01-24T15:00:00Z")
                    ],
                },
                f"{tm}/domain.yaml": {
                    "name": "training-metrics",
                    "description": "Training runs read by notebooks",
                    "members": ["aperture", "notebooks"],
                },
                f"{tm}/contracts/run-metrics.yaml": _contract(
                    "run-metrics",
                    "1.0.0",
                    "aperture",
                    RUN_METRICS,
                    [{"version": "1.0.0", "changes": ["Initial"]}],
                    "training-metrics",
                ),
                f"{tm}/bindings/aperture.yaml": {
                    "repo": "aperture",
                    "role": "provider",
                    "exports": [{"contract": "run-metrics", "source_files": ["metrics/export.py"]}],
                },
                f"{tm}/bindings/notebooks.yaml": {
                    "repo": "notebooks",
                    "role": "consumer",
                    "imports": [
                        _import("run-metrics", "^1.0.0", "metrics.ipynb", "1.0.0", "2026-01-24T15:00:00Z")
                    ],
                },
            },
        ),
    ]
