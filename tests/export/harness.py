"""A stand-in LMS on loopback for the browser tests: the unzipped package under /pkg/, scorm-again
(the npm package implementing the LMS side of SCORM 1.2 and 2004) under /lms/, and a harness
page that puts its API object on window and launches the package in an iframe or a popup."""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.export.conftest import ROOT, extract

SCORM_AGAIN = ROOT / "node_modules" / "scorm-again" / "dist"

HARNESS = r"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test LMS</title><link rel="icon" href="data:,">
<script src="/lms/scorm12.min.js"></script>
<script src="/lms/scorm2004.min.js"></script>
<script>
window.calls = [];
window.sets = [];
window.launch = function (version, flat, popup, emptyMode) {
  var api = version === "2004" ? new Scorm2004API({logLevel: 5}) : new Scorm12API({logLevel: 5});
  if (flat) api.loadFromFlattenedJSON(flat);
  if (emptyMode) { if (version === "2004") api.cmi._mode = ""; else api.cmi.core._lesson_mode = ""; }
  api.on(version === "2004" ? "SetValue.cmi.*" : "LMSSetValue.cmi.*", function (el, v) {
    window.calls.push("set " + el); window.sets.push([el, v]);
  });
  ["LMSInitialize", "LMSFinish", "LMSCommit", "Initialize", "Terminate", "Commit"].forEach(function (n) {
    api.on(n, function () { window.calls.push(n); });
  });
  if (version === "2004") strict2004(api);
  if (version === "2004") window.API_1484_11 = api; else window.API = api;
  if (popup) {
    window.pop = window.open("/pkg/index.html", "course", "width=420,height=700");
  } else {
    var f = document.createElement("iframe");
    f.src = "/pkg/index.html"; f.title = "Course"; f.id = "course";
    f.style = "width:100%;height:95vh;border:0";
    document.body.appendChild(f);
  }
};
// As strict as Moodle 4.5's SCORM 2004 runtime where scorm-again is lenient: a choice's
// learner_response and correct_responses patterns must be CMIShortIdentifiers (^[\w.]{1,250}$,
// so no "-"); Moodle refuses anything else with error 406. Refusals are kept in strictErrors.
window.strictErrors = [];
function strict2004(api) {
  var original = api.SetValue.bind(api);
  var responses = /^cmi\.interactions\.\d+\.(learner_response|correct_responses\.\d+\.pattern)$/;
  api.SetValue = function (element, value) {
    if (responses.test(element) &&
        !String(value).split("[,]").every(function (x) { return /^[\w.]{1,250}$/.test(x); })) {
      window.strictErrors.push([element, value]);
      return "false";
    }
    return original(element, value);
  };
}
window.closeCourse = function () {
  var f = document.getElementById("course");
  if (f) f.src = "about:blank";
  if (window.pop) window.pop.close();
};
window.cmi = function () { return (window.API_1484_11 || window.API).getFlattenedCMI(); };
</script></head><body><h1>Test LMS</h1></body></html>
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *_args: object) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


def prepare(root: Path, package: bytes) -> Path:
    """Lay out the site: /harness.html, /lms/ (scorm-again), /pkg/ (the package)."""
    pkg = root / "pkg"
    if pkg.exists():
        shutil.rmtree(pkg)
    extract(package, pkg)
    lms = root / "lms"
    lms.mkdir(exist_ok=True)
    for name in ("scorm12.min.js", "scorm2004.min.js"):
        shutil.copy(SCORM_AGAIN / name, lms / name)
    (root / "harness.html").write_text(HARNESS)
    return root


@contextmanager
def serve(root: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
