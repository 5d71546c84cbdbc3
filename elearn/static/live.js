// Live sessions: progressive enhancement only (every page works with forms and a refresh).
// Listens for the session's version (server-sent events; a poll every second when those are
// not available), reads the page again when it moved, and swaps the part that changed. The
// projector and the leader's page also take a clicker's Page Down / Page Up.
(function () {
  var root = document.getElementById("live-root");
  if (!root || !root.dataset.liveEvents) return;
  var kind = root.dataset.liveKind;
  var version = Number(root.dataset.liveVersion);
  var step = Number(root.dataset.liveStep);
  var busy = false, again = false;

  function focusedId() {
    var el = document.activeElement;
    return el && el.id ? el.id : null;
  }

  function swap(doc) {
    var fresh = doc.getElementById("live-root");
    if (fresh && fresh.dataset.liveTitle) doc.title = fresh.dataset.liveTitle;
    if (!fresh) { location.reload(); return; }
    var newStep = Number(fresh.dataset.liveStep);
    version = Math.max(version, Number(fresh.dataset.liveVersion));
    if (newStep === step) {
      // Only votes changed: update the live regions' text (screen readers announce it).
      document.querySelectorAll("[data-live-region]").forEach(function (el) {
        var twin = el.id && doc.getElementById(el.id);
        if (twin && twin.textContent !== el.textContent) el.textContent = twin.textContent;
      });
      return;
    }
    var keep = focusedId();
    step = newStep;
    root.innerHTML = fresh.innerHTML;
    root.dataset.liveVersion = fresh.dataset.liveVersion;
    root.dataset.liveStep = fresh.dataset.liveStep;
    document.title = doc.title;
    var back = keep && document.getElementById(keep);
    if (back) back.focus();
    else if (kind === "phone") {
      var h = root.querySelector("h2") || root.querySelector("h1");
      if (h) { h.setAttribute("tabindex", "-1"); h.focus(); }
    }
  }

  // full: the whole page (the leader moved on); else only the vote count (a vote came in).
  function refresh(full) {
    if (busy) { again = again || (full ? "full" : "count"); return; }
    busy = true;
    var countOnly = !full && root.dataset.liveCount;
    var url = countOnly ? root.dataset.liveCount : location.pathname + location.search;
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("live-root");
        if (countOnly && fresh && Number(fresh.dataset.liveStep) !== step) again = "full";
        else swap(doc);
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        var next = again;
        again = false;
        if (next) refresh(next === "full");
      });
  }

  function seen(v, s) {
    // Phones care about the leader's steps only; the leader's views about every vote too.
    if (s > step) refresh(true);
    else if (kind !== "phone" && v > version) refresh(false);
    else version = Math.max(version, v);
  }

  function poll() {
    setInterval(function () {
      fetch(root.dataset.livePoll, { cache: "no-store" })
        .then(function (r) { return r.json(); })
        .then(function (d) { seen(d.version, d.step); })
        .catch(function () {});
    }, 1000);
  }

  if (window.EventSource) {
    var failures = 0;
    var events = root.dataset.liveEvents;
    var source = new EventSource(events + (events.indexOf("?") < 0 ? "?" : "&") + "since=" + version);
    source.onmessage = function (event) {
      failures = 0;
      var parts = event.data.split(" ");
      seen(Number(parts[0]), Number(parts[1]));
    };
    // A phone gets the new step's view in the event itself ("version step", then the HTML,
    // rendered once for every phone): no page to read again. Its form keeps this page's token.
    source.addEventListener("step", function (event) {
      failures = 0;
      var at = event.data.indexOf("\n");
      var parts = event.data.slice(0, at).split(" ");
      var doc = new DOMParser().parseFromString(event.data.slice(at + 1), "text/html");
      var token = root.dataset.liveCsrf;
      if (token) doc.querySelectorAll('input[name="csrf_token"]').forEach(function (el) { el.value = token; });
      version = Math.max(version, Number(parts[0]));
      if (Number(parts[1]) > step && !busy) swap(doc);
      else seen(Number(parts[0]), Number(parts[1]));
    });
    source.onerror = function () {
      // The browser reconnects with Last-Event-ID by itself; after repeated failures poll.
      failures += 1;
      if (failures > 5) { source.close(); poll(); }
    };
  } else {
    poll();
  }

  if (kind === "projector" || kind === "lead") {
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var tag = (event.target && event.target.tagName) || "";
      if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
      var id = event.key === "PageDown" ? "live-next" : event.key === "PageUp" ? "live-back" : null;
      var form = id && document.getElementById(id);
      if (!form) return;
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  }
})();
