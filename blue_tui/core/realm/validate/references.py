"""References between realm files: registered repos, domain membership, contracts, ownership.

Runs after every file is validated on its own. A reference to a file that failed to load
(``realm.unusable``) is not reported again: the broken file already is.
"""

from __future__ import annotations

from blue_tui.core.realm import semver
from blue_tui.core.realm.model import Binding, Contract, Domain, Realm, governance_file, repo_file
from blue_tui.core.realm.problems import Locate, ProblemSink

JOIN_HINT = "register it with `blue realm admin join REALM --repo NAME` from that repo"


class _References:
    def __init__(self, realm: Realm, locate: Locate) -> None:
        self.realm = realm
        self.sink = ProblemSink(realm.problems, locate)

    def unknown_repo(self, name: str) -> bool:
        return name not in self.realm.repos and f"repo:{name}" not in self.realm.unusable

    def domain(self, dom: Domain) -> None:
        add = self.sink.add
        for i, member in enumerate(dom.members):
            if self.unknown_repo(member):
                add(
                    "error",
                    "unknown-repo",
                    f"member {member!r} is not a registered repo ({repo_file(member)} is missing)",
                    file=dom.file,
                    key=f"members[{i}]",
                    hint=JOIN_HINT,
                    domain=dom.name,
                )
        gov = dom.governance
        if gov is None:
            return
        people = ([("ownership.primary", gov.primary)] if gov.primary else []) + [
            (f"ownership.stakeholders[{i}]", s) for i, s in enumerate(gov.stakeholders)
        ]
        add = self.sink.at(file=governance_file(dom.name), domain=dom.name).add
        for key, name in people:
            if self.unknown_repo(name):
                add(
                    "error",
                    "unknown-repo",
                    f"{name!r} is not a registered repo",
                    key=key,
                    hint=JOIN_HINT,
                )
            elif name not in dom.members:
                add(
                    "error",
                    "not-a-member",
                    f"{name!r} is not a member of domain {dom.name!r}",
                    key=key,
                )

    def contract(self, con: Contract) -> None:
        add = self.sink.at(file=con.file, domain=con.domain, contract=con.name).add
        cdom = self.realm.domains.get(con.domain)
        if self.unknown_repo(con.owner):
            add(
                "error",
                "unknown-repo",
                f"owner {con.owner!r} is not a registered repo",
                key="owner",
                hint=JOIN_HINT,
            )
        elif cdom is not None and con.owner not in cdom.members:
            add(
                "error",
                "not-a-member",
                f"owner {con.owner!r} is not a member of domain {con.domain!r}",
                key="owner",
                hint=f"add it: `blue realm admin domain {con.domain} --update --add {con.owner}`",
            )

    def binding(self, b: Binding) -> None:
        dname, rname = b.domain, b.repo
        add = self.sink.at(file=b.file, domain=dname, repo=rname).add
        bdom = self.realm.domains.get(dname)
        if self.unknown_repo(rname):
            add(
                "error",
                "unknown-repo",
                f"binding for {rname!r}, which is not a registered repo",
                key="repo",
                hint=JOIN_HINT,
            )
        elif bdom is not None and rname not in bdom.members:
            add(
                "error",
                "not-a-member",
                f"repo {rname!r} has a binding but is not a member of domain {dname!r}",
                hint=f"`blue realm admin domain {dname} --update --add {rname}`",
            )
        for e in b.exports:
            exported = self.realm.contracts.get((dname, e.contract))
            if exported is None:
                self.unknown_contract(b, "exports", e.key, e.contract)
            elif exported.owner != rname:
                add(
                    "error",
                    "not-owner",
                    f"{rname!r} exports {e.contract!r}, but its owner is {exported.owner!r}; only the owner's "
                    "binding may export it",
                    key=f"{e.key}.contract",
                    contract=e.contract,
                )
        for imp in b.imports:
            imported = self.realm.contracts.get((dname, imp.contract))
            if imported is None:
                self.unknown_contract(b, "imports", imp.key, imp.contract)
                why = semver.range_problem(imp.range, allow_prerelease=True)
            else:
                why = semver.range_problem(imp.range, allow_prerelease=imported.prereleases)
                if imported.owner == rname:
                    add(
                        "error",
                        "self-import",
                        f"{rname!r} imports its own contract {imp.contract!r}",
                        key=f"{imp.key}.contract",
                        contract=imp.contract,
                    )
            if why:
                add(
                    "error",
                    "bad-range",
                    f"{imp.key}.version {why}",
                    key=f"{imp.key}.version",
                    contract=imp.contract,
                )

    def unknown_contract(self, b: Binding, verb: str, key: str, contract: str) -> None:
        if f"contract:{b.domain}/{contract}" in self.realm.unusable:
            return  # the contract's own file failed to load: reported there
        known = ", ".join(c.name for c in self.realm.contracts_in(b.domain)) or "none"
        self.sink.add(
            "error",
            "unknown-contract",
            f"{verb} contract {contract!r}, which is not in domain {b.domain!r}",
            file=b.file,
            key=f"{key}.contract",
            hint=f"contracts in {b.domain}: {known}",
            domain=b.domain,
            contract=contract,
            repo=b.repo,
        )


def cross_check(realm: Realm, locate: Locate) -> None:
    """Check references between files; append to ``realm.problems``."""
    refs = _References(realm, locate)
    for dom in realm.domains.values():
        refs.domain(dom)
    for con in realm.contracts.values():
        refs.contract(con)
    for b in realm.bindings.values():
        refs.binding(b)
