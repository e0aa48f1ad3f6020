"""Validation of each realm file kind, and of the references between files.

Each ``*_doc`` function turns one parsed file into a model value (or None when the file is too
broken to model) and appends every problem it sees to ``out``: unknown keys, wrong types, bad
semver, unsafe names. It never stops at the first problem. :func:`cross_check` then checks the
references between files (registered repos, domain membership, contracts named by bindings,
ownership). Keys starting with ``x-`` are extension keys and are never reported.

One module per file kind: :mod:`.realm_files` (realm.yaml, repos, domains, governance),
:mod:`.contract_file`, :mod:`.binding_file`; :mod:`.filecheck` holds the reporting getters and
:mod:`.references` the checks across files.
"""

from __future__ import annotations

from blue_tui.core.realm.validate.binding_file import binding_doc
from blue_tui.core.realm.validate.contract_file import (
    MAX_HOOK_TIMEOUT,
    POLICIES,
    contract_doc,
    parse_compat_word,
)
from blue_tui.core.realm.validate.realm_files import domain_doc, governance_doc, realm_doc, repo_doc
from blue_tui.core.realm.validate.references import cross_check

__all__ = [
    "MAX_HOOK_TIMEOUT",
    "POLICIES",
    "binding_doc",
    "contract_doc",
    "cross_check",
    "domain_doc",
    "governance_doc",
    "parse_compat_word",
    "realm_doc",
    "repo_doc",
]
