/* SCORM 1.2 adapter: finds the LMS's API object (window.parent chain, then the opener's), starts
 * the session, journals each decision as an interaction (the response as the choice's character,
 * a-z then 0-9 in authored order, as SCORM 1.2 wants), keeps resume data in cmi.suspend_data,
 * commits after every step and finishes once. An LMS that leaves cmi.core.lesson_mode empty is
 * treated as normal mode; without any API the course still plays (and says nothing is saved). */
(function () {
  "use strict";
  function findIn(win, name) {
    for (var i = 0; win && i < 500; i++) {
      try { if (win[name]) return win[name]; } catch (e) { /* another origin: keep looking */ }
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

  function pad(n, w) { n = String(n); while (n.length < w) n = "0" + n; return n; }
  /** HHHH:MM:SS.SS as SCORM 1.2 wants session_time (hours at least two digits, at most four). */
  function timespan(ms) {
    var cs = Math.max(0, Math.round(ms / 10));
    var h = Math.min(9999, Math.floor(cs / 360000));
    var m = Math.floor(cs / 6000) % 60, s = Math.floor(cs / 100) % 60, c = cs % 100;
    return pad(h, 4) + ":" + pad(m, 2) + ":" + pad(s, 2) + "." + pad(c, 2);
  }
  function clock(d) { return pad(d.getHours(), 2) + ":" + pad(d.getMinutes(), 2) + ":" + pad(d.getSeconds(), 2); }
  /** The SCORM 1.2 choice character for the i-th choice of a node: a-z, then 0-9 (the builder
   * refuses a node with more than 36 choices). */
  function letter(i) { return i >= 0 && i < 36 ? "abcdefghijklmnopqrstuvwxyz0123456789".charAt(i) : ""; }

  var api = null, review = false, started = Date.now(), count = 0, done = false, patterns = true;
  function set(k, v) { return api.LMSSetValue(k, String(v)); }
  function get(k) { var v = api.LMSGetValue(k); return v === null || v === undefined ? "" : String(v); }
  function commit() { api.LMSCommit(""); }

  window.ElearnTracking = {
    name: "scorm12",
    timespan: timespan,
    letter: letter,
    start: function () {
      api = findApi("API");
      if (!api) return { error: true };
      var ok = String(api.LMSInitialize("")) === "true";
      if (!ok) { api = null; return { error: true }; }
      review = get("cmi.core.lesson_mode") === "review";
      var status = get("cmi.core.lesson_status");
      if (!review && ["passed", "failed", "completed", "incomplete"].indexOf(status) < 0) {
        set("cmi.core.lesson_status", "incomplete");
      }
      count = parseInt(get("cmi.interactions._count"), 10) || 0;
      // correct_responses is optional for an LMS: leave it out when the LMS lists the
      // interaction children it supports and it is not among them (or when a write fails).
      var children = get("cmi.interactions._children");
      patterns = !children || children.split(",").indexOf("correct_responses") >= 0;
      var mastery = parseFloat(get("cmi.student_data.mastery_score"));
      if (!review) commit();
      return {
        resume: get("cmi.suspend_data") || null,
        review: review,
        mastery: mastery > 0 && mastery <= 100 ? mastery / 100 : null,
      };
    },
    entered: function () {},
    answered: function (info) {
      if (!api || review || done) return;
      var n = "cmi.interactions." + count++ + ".";
      set(n + "id", (info.scenario.id + "__" + info.node.id).slice(0, 255));
      set(n + "type", "choice");
      set(n + "time", clock(new Date()));
      // SCORM 1.2 (RTE 3.4.4, CMIFeedback for "choice"): single characters 0-9 and a-z, not our
      // ids. The character is the choice's place among the node's choices as authored.
      var choices = info.node.choices;
      var chosen = letter(choices.map(function (c) { return c.id; }).indexOf(info.choice.id));
      if (chosen) set(n + "student_response", chosen);
      if (patterns) {
        var k = 0;
        choices.forEach(function (c, i) {
          // one pattern per correct choice: each is a correct response on its own
          if (c.correct === true && patterns) {
            if (String(set(n + "correct_responses." + k++ + ".pattern", letter(i))) !== "true") patterns = false;
          }
        });
      }
      set(n + "result", info.choice.correct === true ? "correct" : info.choice.correct === false ? "wrong" : "neutral");
      if (info.choice.points) set(n + "weighting", info.choice.points);
    },
    completed: function (r) {
      if (!api || review || done) return;
      // After a scenario is taken again the course ends again: a retake never lowers what
      // the LMS holds (a pass stays a pass, a higher score stays).
      var raw = window.ElearnEngine.pyRound(r.scaled * 100, 2);
      var prior = parseFloat(get("cmi.core.score.raw"));
      if ((get("cmi.core.lesson_status") === "passed" && !r.passed) || prior > raw) return;
      // Score as a percentage (what Moodle, Canvas and itslearning grade on), status with it.
      set("cmi.core.score.min", "0");
      set("cmi.core.score.max", "100");
      set("cmi.core.score.raw", raw);
      set("cmi.core.lesson_status", r.max > 0 ? (r.passed ? "passed" : "failed") : "completed");
    },
    save: function (d) {
      if (!api || review || done) return;
      set("cmi.suspend_data", d.suspend);
      set("cmi.core.lesson_location", d.location.slice(0, 255));
      set("cmi.core.exit", d.result.ended ? "" : "suspend");
      set("cmi.core.session_time", timespan(Date.now() - started));
      commit();
    },
    finish: function (kind, d) {
      if (!api || done) return;
      if (!review) {
        this.save(d);
        set("cmi.core.exit", kind === "normal" ? "" : "suspend");
        set("cmi.core.session_time", timespan(Date.now() - started));
        commit();
      }
      done = true;
      api.LMSFinish("");
    },
  };
})();
