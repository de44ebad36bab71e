"""The report: built from saved results only, complete tables, files, and a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from qdgain.report import PAPER_NUMBERS, Results, build_report, paper_table
from qdgain.report.summary import NOT_COMPUTED
from tests.report.fake_run import fake_run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and Path("/usr/bin/chromium").exists():
    CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = fake_run(tmp_path_factory.mktemp("run"))
    build_report(out)
    return out


def test_every_spec_number_has_a_row_and_a_value(built):
    rows = paper_table(Results(built))
    assert len(rows) == len(PAPER_NUMBERS)
    assert len({r.number.key for r in rows}) == len(rows), "duplicate table keys"
    assert all(r.ours is not None for r in rows), [r.reason for r in rows if r.ours is None]
    # ratio = ours / paper for scalar rows (the fake run records 1.5 × a paper value)
    scalar = [r for r in rows if not isinstance(r.number.paper, tuple)]
    assert all(r.ratio == pytest.approx(r.ours / r.number.paper) for r in scalar)
    assert sum(r.ratio == pytest.approx(1.5) for r in scalar) > len(scalar) // 2
    eps = next(r for r in rows if r.number.key == "eps_in")
    assert eps.note == "fake 2.5 nm dot"


def test_report_files_and_summary(built):
    summary = json.loads((built / "summary.json").read_text())
    assert summary["complete"] is True, summary["figures"]
    assert set(summary["figures"].values()) == {"ok"}
    for slug in summary["figures"]:
        assert (built / "figures" / f"{slug}.png").stat().st_size > 1000
        assert (built / "figures" / f"{slug}.svg").read_text().lstrip().startswith("<?xml")
    assert list((built / "results").glob("ta_gain__series.nc"))
    html = (built / "report.html").read_text()
    assert html.count("<img ") == len(summary["figures"])
    assert "id='paper-vs-qdgain'" in html and "id='stages'" in html
    # self-contained: no reference to anything outside the file
    assert not re.search(r"""(src|href)\s*=\s*['"](?!data:|#)""", html)


def test_missing_stage_shows_reason_everywhere(tmp_path):
    out = fake_run(tmp_path, break_stage="ta_gain")
    build_report(out)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] is False
    assert "nth_min" in summary["not_computed"]
    html = (out / "report.html").read_text()
    assert f"{NOT_COMPUTED}: stage ta_gain failed: RuntimeError: layer not there" in html
    assert "Incomplete run" in html
    # figures that read ta_gain are placeholders with the reason, not broken images
    assert summary["figures"]["fig3"].startswith(NOT_COMPUTED)
    assert "needs ta_gain" in summary["figures"]["fig6"]
    assert summary["figures"]["fig1"] == "ok"
    md = (out / "paper_vs_qdgain.md").read_text().splitlines()
    assert len(md) == len(PAPER_NUMBERS) + 2
    assert any(f"{NOT_COMPUTED}: stage ta_gain failed" in line for line in md)


CHECK_SCRIPT = """<script>window.addEventListener('load',()=>{const im=[...document.images];
const d=document.createElement('pre');d.id='qdgain-check';d.textContent=JSON.stringify({
images:im.length,loaded:im.filter(i=>i.complete&&i.naturalWidth>0).length,
tables:[...document.querySelectorAll('table')].map(t=>t.id),
rows:document.querySelectorAll('#paper-vs-qdgain tbody tr').length});
document.body.appendChild(d);});</script>"""


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions",
         "--disable-background-networking", "--no-first-run", "--disable-sync",
         f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120)


def _browser_check(html_file: Path, tmp: Path) -> dict:
    probe = tmp / f"probe-{html_file.name}"
    probe.write_text(html_file.read_text().replace("</body>", CHECK_SCRIPT + "</body>"))
    res = _chromium(["--virtual-time-budget=10000", "--dump-dom", probe.as_uri()],
                    tmp / "profile")
    m = re.search(r"<pre id=\"qdgain-check\">(.*?)</pre>", res.stdout, re.S)
    assert m, f"chromium did not render the page: {res.stderr[-500:]}"
    return json.loads(m.group(1))


def test_report_in_headless_chromium(built, tmp_path):
    if CHROMIUM is None:
        pytest.skip("chromium not installed (apt-get install chromium; .ci/run does it)")
    check = _browser_check(built / "report.html", tmp_path)
    summary = json.loads((built / "summary.json").read_text())
    assert check["images"] == len(summary["figures"])
    assert check["loaded"] == check["images"]
    assert {"paper-vs-qdgain", "stages"} <= set(check["tables"])
    assert check["rows"] == len(PAPER_NUMBERS)
    shot = built / "report-screenshot.png"
    _chromium(["--window-size=1200,4000", f"--screenshot={shot}", (built / "report.html")
               .as_uri()], tmp_path / "profile")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_browser_check_detects_a_broken_image(tmp_path):
    if CHROMIUM is None:
        pytest.skip("chromium not installed (apt-get install chromium; .ci/run does it)")
    page = tmp_path / "broken.html"
    page.write_text("<html><body><img src='data:image/png;base64,AAAA'><table id='x'>"
                    "</table></body></html>")
    check = _browser_check(page, tmp_path)
    assert check == {"images": 1, "loaded": 0, "tables": ["x"], "rows": 0}
