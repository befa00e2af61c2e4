"""The committed Vietnamese catalogue is complete, and the pages people see are Vietnamese with no English left.

The .po file is read with a small parser (no extra dependency); msgfmt checks the placeholders.
"""
from __future__ import annotations

import ast
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.conftest import require_service
from tests.factories import make_report

PO = Path(__file__).resolve().parents[1] / "locale" / "vi" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file (obsolete `#~` entries left out); enough of the format for makemessages' output."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is None or target is not None and target[0] == "msgstr":
                entry, target = Entry(line=number), None
                entries.append(entry)
            if line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith('"'):
            text = ast.literal_eval(line)
        else:
            keyword, _, rest = line.partition(" ")
            text = ast.literal_eval(rest)
            if keyword in ("msgctxt", "msgid") and (entry is None or target is not None and target[0] == "msgstr"):
                entry = Entry(line=number)
                entries.append(entry)
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            target = ("msgstr", int(match[1])) if match else (keyword, 0)
        name, index = target
        if name == "msgid":
            entry.msgid += text
        elif name == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        elif name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + text
    return [e for e in entries if e.msgid]  # the header has an empty msgid


ENTRIES = parse_po(PO)


class CatalogueTests:
    def test_the_parser_reads_the_whole_file(self):
        assert len(ENTRIES) == len(re.findall(r"^msgid ", PO.read_text(encoding="utf-8"), flags=re.M)) - 1
        assert len(ENTRIES) > 600

    def test_every_entry_is_translated_and_none_is_fuzzy(self):
        untranslated = [f"line {e.line}: {e.msgid!r}" for e in ENTRIES if not all(e.msgstr.values()) or not e.msgstr]
        fuzzy = [f"line {e.line}: {e.msgid!r}" for e in ENTRIES if "fuzzy" in e.flags]
        assert not untranslated, "untranslated:\n" + "\n".join(untranslated)
        assert not fuzzy, "fuzzy:\n" + "\n".join(fuzzy)

    def test_vietnamese_has_one_plural_form(self):
        assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in PO.read_text(encoding="utf-8")
        plurals = [e for e in ENTRIES if e.msgid_plural]
        assert plurals and all(list(e.msgstr) == [0] for e in plurals)

    def test_placeholders_are_kept(self):
        wrong = [
            f"line {e.line}: {e.msgid!r}"
            for e in ENTRIES
            for s in e.msgstr.values()
            if sorted(PLACEHOLDER.findall(e.msgid_plural or e.msgid)) != sorted(PLACEHOLDER.findall(s))
        ]
        assert not wrong, "\n".join(wrong)

    def test_msgfmt_accepts_the_file(self):
        require_service(bool(shutil.which("msgfmt")), "gettext's msgfmt")
        result = subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(PO)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


class _VisibleText(HTMLParser):
    """The text a person reads on a page: text nodes plus placeholder / aria-label / title / alt attributes."""

    ATTRS = {"placeholder", "aria-label", "title", "alt"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in self.ATTRS and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


# English source texts of at least two words whose Vietnamese differs: none may show on a Vietnamese page.
ENGLISH = sorted({e.msgid for e in ENTRIES if " " in e.msgid and e.msgstr.get(0) != e.msgid
                  and not PLACEHOLDER.search(e.msgid)}, key=len, reverse=True)


def english_left(text: str) -> list[str]:
    return [s for s in ENGLISH if re.search(r"(?<![\w])" + re.escape(s) + r"(?![\w])", text)]


@pytest.mark.django_db
class VietnamesePagesTests:
    @pytest.fixture
    def accounts(self):
        call_command("create_demo_accounts", force=True)

    def get(self, client, url: str, *, user: str | None = None, lang: str = "vi") -> str:
        if user:
            client.force_login(get_user_model().objects.get(username=user))
        client.cookies["django_language"] = lang  # the language switch's choice (Accept-Language is ignored)
        resp = client.get(url)
        assert resp.status_code == 200, url
        return visible_text(resp.content.decode())

    @pytest.mark.parametrize(("url", "user", "expected"), [
        ("/", None, ["Gửi phản ánh", "Bản đồ phản ánh", "Bảng xếp hạng đúng hạn"]),
        ("/report/", None, ["Vấn đề là gì?", "Thông tin liên hệ (không bắt buộc)"]),
        ("/board/", None, ["Cơ quan nào trả lời đúng hạn?", "Tỷ lệ đúng hạn", "Cách tính các chỉ số"]),
        ("/map/", None, ["Bản đồ các phản ánh", "Tất cả lĩnh vực"]),
        ("/staff/", "hk_officer", ["Danh sách phản ánh", "Đề nghị gia hạn", "Chỉ phản ánh quá hạn",
                                   "Giao các phản ánh đã chọn cho"]),
        ("/staff/extensions/", "hk_manager", ["Đề nghị gia hạn"]),
        ("/dashboard/", "leader", ["Bảng điều hành", "Chỉ số chính", "Theo cơ quan", "Đang quá hạn, cũ nhất trước"]),
    ])
    def test_page_is_in_vietnamese(self, client, accounts, url, user, expected):
        make_report()
        text = self.get(client, url, user=user)
        assert [s for s in expected if s not in text] == []
        assert english_left(text) == []

    def test_staff_case_page_is_in_vietnamese(self, client, accounts):
        case = make_report()
        text = self.get(client, f"/staff/cases/{case.tracking_code}/", user="hk_officer")
        assert "Nhật ký xử lý" in text and "Nhận xử lý phản ánh" in text and "Gộp do trùng lặp" in text
        assert "Người dân" in text and " citizen " not in text  # the event log's actor label
        assert english_left(text) == []

    def test_tracking_page_is_in_vietnamese(self, client):
        case = make_report()
        text = self.get(client, f"/track/{case.tracking_code}/")
        assert "Quá trình xử lý" in text and "Đã tiếp nhận phản ánh" in text
        assert english_left(text) == []

    def test_the_check_finds_english(self, client, accounts):
        """The same pages in English: the check above would catch them."""
        text = self.get(client, "/staff/", user="hk_officer", lang="en")
        assert "Case queue" in english_left(text)
