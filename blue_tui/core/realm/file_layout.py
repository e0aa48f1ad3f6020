"""Where each item lives in a realm repo: the folder and file names, and the path of each
item's file relative to the realm root (docs/REALM.md)."""

from __future__ import annotations

REALM_FILE = "realm.yaml"
REPOS_DIR = "repos"
DOMAINS_DIR = "domains"
DOMAIN_FILE = "domain.yaml"
GOVERNANCE_FILE = "governance.yaml"
CONTRACTS_DIR = "contracts"
BINDINGS_DIR = "bindings"


def repo_file(repo: str) -> str:
    return f"{REPOS_DIR}/{repo}.yaml"


def domain_file(domain: str) -> str:
    return f"{DOMAINS_DIR}/{domain}/{DOMAIN_FILE}"


def governance_file(domain: str) -> str:
    return f"{DOMAINS_DIR}/{domain}/{GOVERNANCE_FILE}"


def contract_file(domain: str, contract: str) -> str:
    return f"{DOMAINS_DIR}/{domain}/{CONTRACTS_DIR}/{contract}.yaml"


def binding_file(domain: str, repo: str) -> str:
    return f"{DOMAINS_DIR}/{domain}/{BINDINGS_DIR}/{repo}.yaml"
