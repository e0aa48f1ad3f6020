"""`blue realm check` on a generated realm of 1,000 repos, 5,000 domains and 5,000 contracts.

Measured in one run, against baselines measured in the same run:

- `blue realm check` total wall (a real subprocess, as CI runs it), warm cache: target <= 1.5 s.
  Also printed: the cold run (`--no-cache`), against the baseline of bare YAML parsing of the same
  files with libyaml (no validation at all).
- cycle check + merge order over the whole provider -> consumer graph: target <= 15 ms; also the
  incremental "would this new edge close a cycle" check that admin commands run.
- `blue realm check` on a small realm imports neither boto3, cryptography nor textual.

Run: `.venv/bin/python benchmarks/bench_realm.py` (about a minute, most of it writing 23,000 files).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from _common import alternate, cli_env, report, timed
from realm_builders import generate_realm, git, member_repo, register, sample_realm

REPOS, DOMAINS, CONTRACTS = 1000, 5000, 5000
BUMPED = 50


def blue(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "blue_tui", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def bump_some(root: Path) -> None:
    """A second realm commit: 50 contracts go 1.2.0 -> 1.3.0 with a compatible schema change, and
    their importers' bindings are refreshed (so `realm check` compares 50 bumps against HEAD~1)."""
    for c in range(0, CONTRACTS, CONTRACTS // BUMPED):
        folder = root / f"domains/domain-{c % DOMAINS:05d}"
        path = folder / f"contracts/contract-{c:05d}.yaml"
        text = path.read_text()
        text = text.replace("version: 1.2.0\n", "version: 1.3.0\n", 1)
        text = text.replace("    tags:", "    note: {type: string, default: ''}\n    tags:", 1)
        text += "  - version: 1.3.0\n    changes: [added note]\n    compatible: true\n"
        path.write_text(text)
        entry = f"  - contract: contract-{c:05d}\n"
        for binding in (folder / "bindings").iterdir():
            lines = binding.read_text().split("\n")
            for i, line in enumerate(lines):
                if line + "\n" == entry and i + 4 < len(lines) and "resolved_version" in lines[i + 4]:
                    lines[i + 4] = lines[i + 4].replace("1.2.0", "1.3.0")
            binding.write_text("\n".join(lines))
    git(root, "commit", "-qam", "bump 50 contracts")


def bare_yaml(root: Path) -> int:
    import yaml

    n = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(".yaml"):
                with open(os.path.join(folder, name), "rb") as fh:
                    text = fh.read()
                yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
                n += 1
    return n


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory(prefix="blue-bench-realm-") as tmp:
        base = Path(tmp)
        home = base / "home"
        env = cli_env(home)
        root = base / "realm"
        started = time.perf_counter()
        counts = generate_realm(root, repos=REPOS, domains=DOMAINS, contracts=CONTRACTS)
        bump_some(root)
        print(
            f"generated {counts['files']} files ({REPOS} repos, {DOMAINS} domains, {CONTRACTS} contracts, "
            f"{counts['bindings']} bindings) in {time.perf_counter() - started:.1f} s"
        )

        check = ["realm", "check", "--realm", str(root)]
        first = blue([*check, "--json"], env, base)
        data = json.loads(first.stdout)
        print(
            f"check result: exit {first.returncode}, {data['summary']}, "
            f"{len(data['compatibility'])} bump checks against {data['base']}, source {data['source']}"
        )
        ok &= report(
            "generated realm checks clean", f"exit {first.returncode}", first.returncode == 0, "exit 0"
        )

        warm, parse = alternate(lambda: blue(check, env, base), lambda: bare_yaml(root), rounds=5)
        cold = statistics.median(timed(lambda: blue([*check, "--no-cache"], env, base)) for _ in range(3))
        startup = statistics.median(timed(lambda: blue(["--version"], env, base)) for _ in range(5))
        print(f"bare YAML parse of the same files (libyaml, baseline): {parse:.3f} s")
        print(f"blue --version (interpreter start baseline):           {startup:.3f} s")
        print(
            f"blue realm check, cold (--no-cache):                   {cold:.3f} s  "
            f"({cold / parse:.2f}x bare YAML parse)"
        )
        print(
            f"blue realm check, warm (.blue/cache.db):               {warm:.3f} s  "
            f"({warm / parse:.2f}x bare YAML parse, {cold / warm:.1f}x faster than cold)"
        )
        ok &= report("blue realm check total wall (warm cache)", f"{warm:.3f} s", warm <= 1.5, "<= 1.5 s")

        from blue_tui.core.realm.graph import DependencyGraph, Edge
        from blue_tui.core.realm.loader import load_realm

        realm = load_realm(root)

        graph = DependencyGraph.from_realm(realm)

        def check_and_order() -> None:
            order, cycle = graph.analyze()
            assert cycle is None and order

        def build_check_order() -> None:
            order, cycle = DependencyGraph.from_realm(realm).analyze()
            assert cycle is None and order

        def edge_list() -> None:
            sum(len(b.imports) for b in realm.bindings.values())

        graph_s, loop_s = alternate(check_and_order, edge_list, rounds=21, warmup=2)
        full_s = statistics.median(timed(build_check_order) for _ in range(11))
        names = sorted(realm.repos)
        probes = [(names[(i * 37) % REPOS], names[(i * 91 + 5) % REPOS]) for i in range(200)]
        inc = statistics.median(timed(lambda p=p: graph.would_cycle(p[0], p[1])) for p in probes)
        refused = sum(1 for a, b in probes if graph.check_new([Edge(a, b, "probe")]) is not None)
        waves = graph.merge_order()
        print(
            f"graph: {len(graph.succ)} repos, {graph.edge_count} edges, {len(waves)} merge waves; "
            f"{refused}/{len(probes)} random new edges would close a cycle (refused)"
        )
        print(
            f"cycle check + merge order: {graph_s * 1000:.2f} ms; with building the graph from the loaded realm: "
            f"{full_s * 1000:.2f} ms (baseline, one pass over the bindings: {loop_s * 1000:.2f} ms); "
            f"incremental would-cycle check: {inc * 1000:.3f} ms"
        )
        ok &= report("cycle check + merge order", f"{graph_s * 1000:.2f} ms", graph_s <= 0.015, "<= 15 ms")

        small = base / "small"
        b = sample_realm(small)
        register(home / ".blue", "letemcook", b.root)
        repo = member_repo(base / "fungal", "letemcook", "fungal")
        probe = (
            "import json, sys\nfrom blue_tui.cli import main\ncode = main(['realm', 'check'])\n"
            "print('MODULES=' + json.dumps([m for m in ('boto3', 'cryptography', 'textual') "
            "if m in sys.modules]))\nsys.exit(code)\n"
        )
        proc = subprocess.run(
            [sys.executable, "-c", probe], env=env, cwd=repo, capture_output=True, text=True, check=False
        )
        line = next((x for x in proc.stdout.splitlines() if x.startswith("MODULES=")), "MODULES=?")
        ok &= report(
            "small-realm check imports neither boto3, cryptography nor textual",
            line,
            proc.returncode == 0 and line == "MODULES=[]",
            "MODULES=[]",
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
