"""import_layer and export_layer as an operator runs them."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from layers.buildings.models import Building
from layers.keysites.models import KeySite
from tests.transfer.factories import BOWTIE, SPIKE, box, feature, point, write_geojson

MANAGE_PY = Path(__file__).resolve().parents[2] / "manage.py"


def run_manage(*arguments: str) -> subprocess.CompletedProcess:
    """manage.py in a child process, on the test database: the real exit status and stderr."""
    environment = {
        **os.environ,
        "GISGOV_DB_NAME": connection.settings_dict["NAME"],
        "GISGOV_LANGUAGE_CODE": "en",
    }
    return subprocess.run(
        [sys.executable, str(MANAGE_PY), *arguments],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


# Transactional: the child process must see the committed division rows.
@pytest.mark.django_db(transaction=True)
def test_a_rejected_import_exits_non_zero_listing_every_bad_row(division, tmp_path):
    path = write_geojson(
        tmp_path / "buildings.geojson",
        [
            feature(box(114.285, 34.785, 114.286, 34.786), use="other"),
            feature(BOWTIE, use="other"),
            feature(box(114.285, 34.785, 114.286, 34.786), use="castle"),
        ],
    )

    result = run_manage("import_layer", str(path), "--layer", "buildings")

    assert result.returncode == 1
    assert "row 2: invalid geometry: Self-intersection[114.2855 34.7855]" in result.stderr
    assert 'row 3: use: "castle" is not one of' in result.stderr
    assert "CommandError: 2 bad rows: nothing was imported" in result.stderr
    assert not Building.objects.exists()


@pytest.mark.django_db
def test_a_refused_file_is_a_command_error(division, tmp_path):
    with pytest.raises(CommandError, match=r"does not exist; nothing was imported"):
        call_command("import_layer", str(tmp_path / "missing.geojson"), "--layer", "key-sites")


@pytest.mark.django_db
def test_a_good_import_reports_counts_crs_and_fixes(division, tmp_path):
    path = write_geojson(
        tmp_path / "buildings.geojson",
        [feature(box(114.285, 34.785, 114.286, 34.786), use="other"), feature(SPIKE, use="other")],
    )
    out = StringIO()

    call_command("import_layer", str(path), "--layer", "buildings", "--fix-invalid", stdout=out)

    assert out.getvalue().splitlines() == [
        "row 2: repaired invalid geometry: Ring Self-intersection[114.286 34.786]",
        "Imported 2 buildings (coordinates read as EPSG:4326, declared by the file).",
    ]


@pytest.mark.django_db
def test_map_options_reach_the_import(division, tmp_path):
    path = write_geojson(
        tmp_path / "sites.geojson", [feature(point(114.29, 34.79), 名称="村口", kind="entrance")]
    )

    call_command(
        "import_layer", str(path), "--layer", "key-sites", "--map", "name=名称", stdout=StringIO()
    )

    assert KeySite.objects.get().name == "村口"


@pytest.mark.django_db
def test_a_map_option_without_equals_is_a_usage_error(tmp_path):
    with pytest.raises(CommandError, match=r"expected FIELD=COLUMN, got name"):
        call_command("import_layer", "x.geojson", "--layer", "key-sites", "--map", "name")


@pytest.mark.django_db
def test_export_command_writes_the_file_and_says_how_many(division, tmp_path):
    output = tmp_path / "areas.geojson"
    out = StringIO()

    call_command(
        "export_layer",
        str(output),
        "--layer",
        "areas",
        "--format",
        "geojson",
        "--area",
        "410102001000",
        stdout=out,
    )

    assert output.exists()
    assert out.getvalue().strip() == f"Exported 3 areas to {output}."


@pytest.mark.django_db
def test_export_of_an_unknown_division_is_a_command_error(division, tmp_path):
    with pytest.raises(CommandError, match=r"no administrative area has code 429999"):
        call_command(
            "export_layer",
            str(tmp_path / "x.csv"),
            "--layer",
            "cameras",
            "--format",
            "csv",
            "--area",
            "429999",
        )
