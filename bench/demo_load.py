"""Times generating and bulk-loading the demo county into a database of its own.

    .venv/bin/python bench/demo_load.py --scale 50

The issue's target: --scale 50 (about 1 M buildings, 2.5 M incidents) in under 10 minutes.
Prints the loader's own per-layer lines, then `RESULT demo_load ...` last.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS_AT_50 = 600


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    env = {**os.environ, "GISGOV_DB_NAME": f"gisgov_bench_demo_{args.scale}"}
    python = str(ROOT / ".venv" / "bin" / "python")
    if "DATABASE_URL" not in env:
        subprocess.run([str(ROOT / "scripts" / "pg.sh"), "start"], env=env, check=True)
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    started = time.monotonic()
    run = subprocess.run(
        [
            python,
            "manage.py",
            "demo_county",
            "--seed",
            str(args.seed),
            "--scale",
            str(args.scale),
            "--replace",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    print(run.stdout, end="")
    counts = {
        m[0]: int(m[1].replace(",", "")) for m in re.findall(r"(\w+): ([\d,]+) in", run.stdout)
    }
    rows = sum(counts.values())
    budget = TARGET_SECONDS_AT_50 * args.scale / 50
    print(f"{'scale':>10} {'seconds':>9} {'rows':>10} {'rows/s':>9} {'budget s':>9}")
    print(f"{args.scale:>10} {seconds:>9.1f} {rows:>10,} {rows / seconds:>9,.0f} {budget:>9.0f}")
    print(
        f"RESULT demo_load scale={args.scale} seconds={seconds:.1f} "
        f"buildings={counts.get('buildings', 0)} incidents={counts.get('incidents', 0)} "
        f"rows_per_s={rows / seconds:.0f}"
    )
    sys.exit(0)


if __name__ == "__main__":
    main()
