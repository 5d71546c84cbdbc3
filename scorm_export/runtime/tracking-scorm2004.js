/* SCORM 2004 4th edition adapter: the SCORM 1.2 adapter's behaviour in 2004 terms
 * (completion_status + success_status, score.scaled, progress_measure, location, suspend_data,
 * ISO 8601 session_time, interactions with timestamps). Finds API_1484_11 through the parent
 * chain and the opener; an empty cmi.mode counts as normal. */
(function () {
  "use strict";
  var PKG = window.ELEARN_PACKAGE;

  function findIn(win, name) {
    for (var i = 0; win && i < 500; i++) {
      try { if (win[name]) return win[name]; } catch (e) { /* another origin */ }
      if (!win.parent || win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  function findApi(name) {
    var api = findIn(window, name);
    try { if (!api && window.top && window.top.opener) api = findIn(window.top.opener, name); } catch (e) { api = null; }
    try { if (!api && window.opener) api = findIn(window.opener, name); } catch (e) { api = null; }
    return api;
  }
  /** ISO 8601 duration with at most two decimals, e.g. PT1H2M3.45S. */
  function duration(ms) {
    var cs = Math.max(0, Math.round(ms / 10));
    var h = Math.floor(cs / 360000), m = Math.floor(cs / 6000) % 60, s = (cs % 6000) / 100;
    return "PT" + (h ? h + "H" : "") + (m ? m + "M" : "") + s.toFixed(2).replace(/\.?0+$/, "") + "S";
  }
  function stamp(d) { return d.toISOString().slice(0, 19); }
  /** A choice as Moodle's runtime accepts it (CMIShortIdentifier, ^[\w.]{1,250}$): course ids
   * are [a-z][a-z0-9-]*, never with "_", so "-" -> "_" is reversible (docs/export.md). */
  function shortId(choiceId) { return String(choiceId).replace(/-/g, "_"); }

  var api = null, review = false, started = Date.now(), count = 0, done = false;
  function set(k, v) { return api.SetValue(k, String(v)); }
  function get(k) { var v = api.GetValue(k); return v === null || v === undefined ? "" : String(v); }
  function commit() { api.Commit(""); }
  function interactionId(info) {
    var iri = PKG.base + "/courses/" + PKG.course.id + "/scenarios/" + info.scenario.id + "/nodes/" + info.node.id;
    return iri.length <= 250 ? iri : info.scenario.id + "__" + info.node.id;
  }

  // Once completed, the progress measure stays 1 (also while a scenario is taken again), so it
  // never contradicts completion_status.
  var completedOnce = false;
  function measure(percent) { return completedOnce ? 1 : Math.max(0, Math.min(1, percent / 100)); }

  window.ElearnTracking = {
    name: "scorm2004",
    duration: duration,
    start: function () {
      api = findApi("API_1484_11");
      if (!api) return { error: true };
      if (String(api.Initialize("")) !== "true") { api = null; return { error: true }; }
      review = get("cmi.mode") === "review";
      var completion = get("cmi.completion_status");
      completedOnce = completion === "completed";
      if (!review && completion !== "completed") set("cmi.completion_status", "incomplete");
      count = parseInt(get("cmi.interactions._count"), 10) || 0;
      var mastery = parseFloat(get("cmi.scaled_passing_score"));
      if (!review) commit();
      return { resume: get("cmi.suspend_data") || null, review: review, mastery: mastery > 0 && mastery <= 1 ? mastery : null };
    },
    entered: function () {},
    answered: function (info) {
      if (!api || review || done) return;
      var n = "cmi.interactions." + count++ + ".";
      set(n + "id", interactionId(info));
      set(n + "type", "choice");
      set(n + "timestamp", stamp(new Date()));
      info.node.choices.filter(function (c) { return c.correct === true; }).forEach(function (c, i) {
        set(n + "correct_responses." + i + ".pattern", shortId(c.id));
      });
      set(n + "learner_response", shortId(info.choice.id));
      set(n + "result", info.choice.correct === true ? "correct" : info.choice.correct === false ? "incorrect" : "neutral");
      if (info.choice.points) set(n + "weighting", info.choice.points);
      var text = String((info.node.text || {})[info.lang] || "").split(/\s+/).join(" ").trim();
      if (text) set(n + "description", text.length > 250 ? text.slice(0, 249) + "…" : text);
    },
    completed: function (r) {
      if (!api || review || done) return;
      // After a scenario is taken again the course ends again: a retake never lowers what
      // the LMS holds (a pass stays a pass, a higher score stays).
      var prior = parseFloat(get("cmi.score.scaled"));
      if ((get("cmi.success_status") === "passed" && !r.passed) || prior > r.scaled) return;
      set("cmi.score.scaled", r.scaled);
      set("cmi.score.min", "0");
      set("cmi.score.max", "100");
      set("cmi.score.raw", window.ElearnEngine.pyRound(r.scaled * 100, 2));
      set("cmi.completion_status", "completed");
      completedOnce = true;
      set("cmi.success_status", r.max > 0 ? (r.passed ? "passed" : "failed") : "unknown");
    },
    save: function (d) {
      if (!api || review || done) return;
      set("cmi.suspend_data", d.suspend);
      set("cmi.location", d.location.slice(0, 1000));
      set("cmi.progress_measure", measure(d.percent));
      set("cmi.exit", d.result.ended ? "normal" : "suspend");
      set("cmi.session_time", duration(Date.now() - started));
      commit();
    },
    finish: function (kind, d) {
      if (!api || done) return;
      done = true;
      if (!review) {
        // Often called while the page unloads, when the browser may drop all but the first
        // request: set the last values and Terminate once. Terminate commits them (SCORM 2004
        // RTE), so no Commit of our own: Moodle posts the whole data model on every commit.
        set("cmi.suspend_data", d.suspend);
        set("cmi.location", d.location.slice(0, 1000));
        set("cmi.progress_measure", measure(d.percent));
        set("cmi.exit", kind === "normal" ? "normal" : "suspend");
        set("cmi.session_time", duration(Date.now() - started));
      }
      api.Terminate("");
    },
  };
})();
