"""Times camera coverage on the demo county, in a database of its own.

    .venv/bin/python bench/camera_coverage.py --scale 5

Loads the demo county once (sectors are computed by the triggers as cameras arrive), then
times the full rebuild of every camera's sector (`rebuild_camera_sectors`), the coverage of
every village of the county, its blind spots, and suggestions of 5 sites for one township.
Prints `RESULT coverage ...` last.
"""

import argparse
import time

from demo import load_demo, prepare_database, setup_django


def timed(label: str, action):
    started = time.perf_counter()
    value = action()
    seconds = time.perf_counter() - started
    print(f"{label:<48} {seconds:>8.2f} s")
    return value, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    prepare_database(f"gisgov_bench_coverage_{args.scale}")
    load, load_seconds = timed(
        "demo load (if empty; sectors by the triggers)",
        lambda: load_demo(scale=args.scale, seed=args.seed),
    )
    # --if-empty skips a county loaded by an earlier run: its time is then no load time.
    loaded = f"{load_seconds:.1f}" if "loaded in" in load.stdout else "already"

    setup_django()
    from datetime import UTC, datetime

    from layers.areas.models import AdminArea, AreaLevel
    from layers.cameras.models import CameraSite
    from layers.coverage.analysis import Window, area_coverage, blind_cells, blind_key_sites
    from layers.coverage.sectors import camera_sectors_rebuild
    from layers.coverage.suggestions import SuggestionQuery, site_suggestions

    cameras = CameraSite.objects.count()
    written, rebuild_seconds = timed(
        f"rebuild all sectors ({cameras} cameras)", camera_sectors_rebuild
    )
    window = Window(datetime(2025, 11, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
    county = AdminArea.objects.filter(level=AreaLevel.COUNTY).order_by("code").first()
    rows, areas_seconds = timed(
        "coverage of every village of one county", lambda: area_coverage(county, "village", window)
    )
    timed("blind key sites of the county", lambda: blind_key_sites(county))
    cells, _ = timed(
        "blind incident cells of the county (50 m)", lambda: blind_cells(county, window, 50)
    )
    township = AdminArea.objects.filter(level=AreaLevel.TOWNSHIP).order_by("code").first()
    result, suggest_seconds = timed(
        "5 site suggestions for one township",
        lambda: site_suggestions(
            SuggestionQuery(area_code=township.code, k=5, since=window.since, until=window.until)
        ),
    )
    print(
        f"{len(rows)} villages, {len(cells)} blind cells; suggestions tried "
        f"{result['candidates']} sites × 8 directions, gained {result['gained_weight']:g} of "
        f"{result['uncovered_weight']:g}"
    )
    print(
        f"RESULT coverage scale={args.scale} cameras={written} rebuild_s={rebuild_seconds:.2f} "
        f"per_camera_ms={1000 * rebuild_seconds / max(written, 1):.2f} "
        f"county_villages_s={areas_seconds:.2f} township_suggestions_s={suggest_seconds:.1f} "
        f"demo_load_s={loaded}"
    )


if __name__ == "__main__":
    main()
