"""Start-up cost of the `blue` command, against `python -c pass` of the same interpreter.

Measured in one run, each command alternating with the baseline (medians of back-to-back pairs):

- `blue --version` and `blue --help`: target <= 3x `python -c pass`;
- `blue realm check` on a 3-repo realm and `blue contract diff` of two small schemas: reported
  against the same baseline (they parse YAML and run the checker, so no target).

The commands run through the installed console script (what a user types), with bytecode
already compiled, as after the first run of an installed package.

Run: `.venv/bin/python benchmarks/bench_cli.py` (about half a minute).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from _common import cli_env, paired, report
from realm_builders import member_repo, register, sample_realm

ROUNDS = 31


def _runner(argv: list[str], env: dict[str, str], cwd: Path, expect: int = 0) -> object:
    def run() -> None:
        code = subprocess.run(
            argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        ).returncode
        if code != expect:
            raise SystemExit(f"{' '.join(argv)} exited {code}, expected {expect}")

    return run


def main() -> int:
    blue = shutil.which("blue", path=str(Path(sys.executable).parent))
    if blue is None:
        print("FAIL  no `blue` console script beside this interpreter (run from the project's venv)")
        return 1
    ok = True
    with tempfile.TemporaryDirectory(prefix="blue-bench-cli-") as tmp:
        base = Path(tmp)
        home = base / "home"
        home.mkdir()
        env = cli_env(home)
        realm = sample_realm(base / "realm")
        register(home / ".blue", "letemcook", realm.root)
        repo = member_repo(base / "fungal", "letemcook", "fungal")
        old, new = base / "old.json", base / "new.json"
        old.write_text(json.dumps({"type": "object", "properties": {"a": {"type": "string"}}}))
        new.write_text(
            json.dumps({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}})
        )
        baseline = _runner([sys.executable, "-c", "pass"], env, base)
        cases = [
            ("blue --version", [blue, "--version"], 0, 3.0),
            ("blue --help", [blue, "--help"], 0, 3.0),
            ("blue realm check (3 repos)", [blue, "realm", "check"], 0, None),
            ("blue contract diff (small schemas)", [blue, "contract", "diff", str(old), str(new)], 1, None),
        ]
        for name, argv, expect, target in cases:
            subject = _runner(argv, env, repo, expect)
            s, b, ratio = paired(subject, baseline, rounds=ROUNDS, warmup=2)  # type: ignore[arg-type]
            figure = f"{s * 1000:.1f} ms vs python -c pass {b * 1000:.1f} ms = {ratio:.2f}x"
            if target is None:
                print(f"INFO  {name}: {figure}")
            else:
                ok &= report(name, figure, ratio <= target, f"<= {target:.0f}x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
