r"""The Simplified Chinese catalogue is complete and compiled, and the interface follows it.

When marked strings change, bring the catalogue up to date and commit both files:
    .venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=.data \
        --ignore=static --ignore=tests --ignore=bench
    translate every new entry and every fuzzy one (dropping its fuzzy flag and #| lines) in
        locale/zh_Hans/LC_MESSAGES/django.po
    .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=.data
    msgfmt --check-format -o /dev/null locale/zh_Hans/LC_MESSAGES/django.po
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation.template import templatize

from gisgov import settings as project_settings
from layers.areas.models import AreaLevel
from layers.grids.models import Grid, StaffRole
from layers.incidents.choices import Category, Status
from layers.incidents.models import Incident

BASE_DIR = Path(django_settings.BASE_DIR)
PO_PATH = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
# What makemessages is told to leave out (besides hidden directories, which it always skips).
IGNORED_DIRS = {".venv", ".data", "static", "tests", "bench"}
# The keywords makemessages gives xgettext for Python, besides the defaults (_, gettext, ...).
XGETTEXT_KEYWORDS = [
    "gettext_noop",
    "gettext_lazy",
    "ngettext_lazy:1,2",
    "pgettext:1c,2",
    "npgettext:1c,2,3",
    "pgettext_lazy:1c,2",
    "npgettext_lazy:1c,2,3",
]
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return self.msgctxt, self.msgid


def po_entries(path: Path) -> list[Entry]:
    """The entries of a PO/POT file, the header (msgid "") first; a small stdlib-only parser."""
    entries: list[Entry] = []
    entry, target = Entry(), None

    def finish():
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):  # an obsolete entry's previous msgid
                continue
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if entry.msgstr:  # a comment after a msgstr starts the next entry
                finish()
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        keyword, _space, rest = line.partition(" ")
        if line.startswith('"'):
            keyword, rest = None, line
        elif keyword in ("msgctxt", "msgid") and entry.msgstr:
            finish()
        entry.obsolete = entry.obsolete or obsolete
        text = ast.literal_eval(rest)
        if keyword is None:
            pass  # a continuation of the current target
        elif keyword == "msgctxt":
            target, entry.msgctxt = "msgctxt", ""
        elif keyword == "msgid":
            target = "msgid"
        elif keyword == "msgid_plural":
            target, entry.msgid_plural = "msgid_plural", ""
        elif keyword == "msgstr":
            target = 0
            entry.msgstr[0] = ""
        elif keyword.startswith("msgstr["):
            target = int(keyword[7:-1])
            entry.msgstr[target] = ""
        else:
            raise ValueError(f"{path}: cannot parse {raw!r}")
        if isinstance(target, int):
            entry.msgstr[target] += text
        else:
            setattr(entry, target, getattr(entry, target) + text)
    finish()
    return entries


def catalogue() -> list[Entry]:
    """The live (not obsolete) messages of the zh_Hans catalogue, header left out."""
    return [e for e in po_entries(PO_PATH) if not e.obsolete and e.msgid]


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.fixture(autouse=True)
def project_language(settings):
    """The project's own default language, whatever other fixtures chose; and the thread's
    active language restored afterwards (LocaleMiddleware activates one per request)."""
    settings.LANGUAGE_CODE = project_settings.LANGUAGE_CODE
    previous = translation.get_language()
    translation.deactivate()
    yield
    translation.activate(previous)


# The catalogue ------------------------------------------------------------------------------


def test_po_header_is_simplified_chinese_with_one_plural_form():
    header = po_entries(PO_PATH)[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert "Language: zh_Hans\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header.msgstr[0]


def test_po_has_no_untranslated_or_fuzzy_entries():
    entries = catalogue()
    assert len(entries) > 200
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    untranslated = [e.msgid for e in entries if not all(e.msgstr.values())]
    assert not fuzzy, f"fuzzy entries in {PO_PATH}: {fuzzy}"
    assert not untranslated, f"untranslated entries in {PO_PATH}: {untranslated}"
    # One plural form in Chinese: a plural entry has exactly msgstr[0].
    assert all(set(e.msgstr) == {0} for e in entries)


def test_translations_keep_every_placeholder():
    wrong = [
        (e.msgid, text)
        for e in catalogue()
        for text in e.msgstr.values()
        if text and placeholders(text) != placeholders(e.msgid_plural or e.msgid)
    ]
    assert not wrong


def test_mo_is_compiled_from_the_current_po():
    """The .mo is committed (deployments need no gettext): it must say what the .po says."""
    assert MO_PATH.exists(), "run manage.py compilemessages"
    with MO_PATH.open("rb") as stream:
        compiled = gettext.GNUTranslations(stream)
    stale = []
    for e in catalogue():
        if e.msgctxt is None:
            got = compiled.gettext(e.msgid)
        else:
            got = compiled.pgettext(e.msgctxt, e.msgid)
        if got != e.msgstr[0]:
            stale.append(e.msgid)
    assert not stale, f"the .mo is older than the .po; run compilemessages: {stale}"


def source_message_keys(scratch: Path) -> set[tuple[str | None, str]]:
    """Every message marked in the project's Python files and templates, as makemessages
    would collect them."""
    files = []
    for dirpath, dirnames, filenames in os.walk(BASE_DIR):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in IGNORED_DIRS]
        for name in filenames:
            path = Path(dirpath) / name
            if path.suffix == ".py":
                files.append(path)
            elif path.suffix in (".html", ".txt"):
                converted = scratch / f"{len(files)}-{name}.py"
                converted.write_text(
                    templatize(path.read_text(encoding="utf-8"), origin=str(path)),
                    encoding="utf-8",
                )
                files.append(converted)
    file_list = scratch / "files.txt"
    file_list.write_text("\n".join(str(path) for path in files), encoding="utf-8")
    pot = scratch / "django.pot"
    subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            *(f"--keyword={keyword}" for keyword in XGETTEXT_KEYWORDS),
            f"--files-from={file_list}",
            f"--output={pot}",
        ],
        check=True,
        capture_output=True,
    )
    if not pot.exists():  # xgettext writes nothing when no message is marked
        return set()
    return {e.key for e in po_entries(pot) if e.msgid}


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext's xgettext")
def test_po_holds_every_message_marked_in_the_code(tmp_path):
    in_code = source_message_keys(tmp_path)
    in_po = {e.key for e in catalogue()}
    missing = sorted(msgid for _context, msgid in in_code - in_po)
    assert not missing, f"run makemessages and translate: {missing}"


# Labels -------------------------------------------------------------------------------------


def test_the_default_language_is_simplified_chinese():
    assert project_settings.LANGUAGE_CODE == "zh-hans"
    assert translation.get_language() == "zh-hans"
    assert str(Grid._meta.verbose_name) == "网格"
    assert str(Status.REPORTED.label) == "已上报"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "zh-hans",
            {
                "grid": "网格",
                "incident": "事件",
                "incident status field": "状态",
                "reported": "已上报",
                "dispatched": "已分派",
                "evaluated": "已评价",
                "dispute": "矛盾纠纷",
                "grid head": "网格长",
                "township": "乡镇/街道",
                "village": "村/社区",
            },
        ),
        (
            "en",
            {
                "grid": "grid",
                "incident": "incident",
                "incident status field": "status",
                "reported": "Reported",
                "dispatched": "Dispatched",
                "evaluated": "Evaluated",
                "dispute": "Dispute (矛盾纠纷)",
                "grid head": "Grid head (网格长)",
                "township": "Township / street",
                "village": "Village / community",
            },
        ),
    ],
)
def test_key_labels_follow_the_active_language(language, expected):
    with translation.override(language):
        labels = {
            "grid": Grid._meta.verbose_name,
            "incident": Incident._meta.verbose_name,
            "incident status field": Incident._meta.get_field("status").verbose_name,
            "reported": dict(Incident._meta.get_field("status").flatchoices)[Status.REPORTED],
            "dispatched": Status.DISPATCHED.label,
            "evaluated": Status.EVALUATED.label,
            "dispute": Category.DISPUTE.label,
            "grid head": StaffRole.HEAD.label,
            "township": AreaLevel.TOWNSHIP.label,
            "village": AreaLevel.VILLAGE.label,
        }
        assert {name: str(label) for name, label in labels.items()} == expected


def test_a_message_with_placeholders_is_translated_and_filled():
    from layers.transfer.errors import ImportRejected

    with translation.override("zh-hans"):
        assert str(ImportRejected([])) == "0 行数据有误：未导入任何数据"
    with translation.override("en"):
        assert str(ImportRejected([])) == "0 bad rows: nothing was imported"


def test_every_marked_model_name_field_label_and_choice_is_chinese():
    """Every label the code marks for translation comes out in Chinese by default."""
    english = []
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("layers."):
            continue
        for model in app_config.get_models():
            texts = [model._meta.verbose_name, model._meta.verbose_name_plural]
            for model_field in model._meta.get_fields():
                marked = getattr(model_field, "_verbose_name", None)
                if isinstance(marked, Promise):
                    texts.append(marked)
                texts.extend(label for _value, label in getattr(model_field, "flatchoices", []))
            english += [f"{model.__name__}: {t}" for t in map(str, texts) if not CJK.search(t)]
    assert not english


# Pages --------------------------------------------------------------------------------------


def test_admin_index_shows_chinese_model_names_by_default(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    html = response.content.decode()
    for name in ["站点管理", "网格", "楼栋", "监控点位", "重点部位", "事件", "行政区划", "部门"]:
        assert name in html
    assert "Camera sites" not in html
    assert "Site administration" not in html


def test_admin_index_is_english_when_the_browser_asks_for_it(admin_client):
    response = admin_client.get(reverse("admin:index"), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    for name in ["Site administration", "Grids", "Camera sites", "Key sites", "Incidents"]:
        assert name in html
    assert "监控点位" not in html
    assert "站点管理" not in html


def test_api_error_messages_follow_accept_language(client, db):
    chinese = client.get("/api/v1/grids/?limit=0")
    english = client.get("/api/v1/grids/?limit=0", headers={"Accept-Language": "en"})
    assert chinese.status_code == english.status_code == 400
    assert chinese.json() == {"limit": ["limit 必须是 1 到 10000 之间的整数"]}
    assert english.json() == {"limit": ["limit must be an integer from 1 to 10000"]}
