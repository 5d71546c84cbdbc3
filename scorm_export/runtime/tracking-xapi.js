/* xAPI (TinCan) adapter: the classic launch parameters (endpoint, auth, actor, registration,
 * activity_id) and the statements the platform itself sends (docs/xapi.md): launched and
 * initialized for a new attempt, resumed for a continued one, experienced/answered/progressed
 * per step, completed per scenario, completed + passed/failed + terminated at the end, suspended
 * on leaving mid-course. Resume data is a state document of the course activity. */
(function () {
  "use strict";
  var X = window.ElearnXapi, PKG = window.ELEARN_PACKAGE;
  var STATE_ID = "https://w3id.org/xapi/elearn/state/resume";
  var lrs = null, launch = null, started = Date.now(), done = false, terminated = false, lang = PKG.lang;

  /** TinCan 0.95 launchers send {"mbox": ["mailto:…"], "name": ["…"]}: take the first of each. */
  function actor(raw) {
    var a = JSON.parse(raw);
    var out = { objectType: "Agent" };
    ["name", "mbox", "mbox_sha1sum", "openid", "account"].forEach(function (k) {
      if (a[k] !== undefined) out[k] = Array.isArray(a[k]) ? a[k][0] : a[k];
    });
    if (out.account && out.account.accountServiceHomePage) {
      out.account = { homePage: out.account.accountServiceHomePage, name: out.account.accountName };
    }
    return out;
  }
  function context(parent, grouping) {
    var ctx = { contextActivities: {}, language: X.LANG_TAGS[lang] || lang, platform: "elearn", extensions: {} };
    if (launch.registration) ctx.registration = launch.registration;
    if (parent) ctx.contextActivities.parent = [parent];
    if (grouping) ctx.contextActivities.grouping = [grouping];
    ctx.extensions[X.versionExt] = PKG.contentHash;
    return ctx;
  }
  function send(verb, object, opts) {
    opts = opts || {};
    var s = { id: X.uuid(), version: X.VERSION, actor: launch.actor, verb: X.verb(verb), object: object,
      context: context(opts.parent, opts.grouping), timestamp: X.now() };
    if (opts.result) s.result = opts.result;
    lrs.send(s);
  }
  function courseAct() { return X.courseActivity(launch.activityId); }
  function stateParams() {
    var p = { stateId: STATE_ID, activityId: launch.activityId, agent: JSON.stringify(launch.actor) };
    if (launch.registration) p.registration = launch.registration;
    return p;
  }

  window.ElearnTracking = {
    name: "xapi",
    start: function () {
      var q = new URLSearchParams(window.location.search);
      launch = { endpoint: q.get("endpoint"), auth: q.get("auth"), registration: q.get("registration"),
        activityId: q.get("activity_id") || X.courseIri };
      try { launch.actor = actor(q.get("actor")); } catch (e) { launch.actor = null; }
      if (!launch.endpoint || !launch.actor) return { error: true };
      lrs = X.client(launch.endpoint, launch.auth || "");
      return lrs.getState(stateParams()).catch(function () { return null; }).then(function (resume) {
        if (resume) {
          send("resumed", courseAct());
        } else {
          send("launched", courseAct());
          send("initialized", courseAct());
        }
        return { resume: resume, registration: launch.registration };
      });
    },
    entered: function (info) {
      if (!lrs || done) return;
      lang = info.lang;
      send("experienced", X.nodeActivity(info.scenario, info.node), { parent: X.scenarioActivity(info.scenario), grouping: courseAct() });
    },
    answered: function (info) {
      if (!lrs || done) return;
      lang = info.lang;
      var s = info.scenario, scen = X.scenarioActivity(s);
      send("answered", X.nodeActivity(s, info.node), { parent: scen, grouping: courseAct(), result: X.choiceResult(info.choice) });
      send("experienced", X.nodeActivity(s, info.toNode), { parent: scen, grouping: courseAct() });
      send("progressed", courseAct(), { result: X.progressResult(info.percent) });
      if (info.state.ended) {
        send("completed", scen, { parent: courseAct(),
          result: X.scoreResult(info.state.points, s.min_score, s.max_score, info.scaled, { completion: true }) });
      }
    },
    completed: function (r) {
      if (!lrs || done) return;
      var d = X.duration(Date.now() - started);
      send("completed", courseAct(), { result: X.scoreResult(r.points, r.min, r.max, r.scaled, { completion: true, duration: d }) });
      send(r.passed ? "passed" : "failed", courseAct(), { result: X.scoreResult(r.points, r.min, r.max, r.scaled, { success: r.passed, duration: d }) });
      send("terminated", courseAct());
      terminated = true;
    },
    // A scenario taken again after the course's end (and its terminated statement) begins a
    // new session of the same registration; its end is reported again.
    retake: function () {
      if (!lrs || done || !terminated) return;
      send("initialized", courseAct());
      terminated = false;
    },
    save: function (d) {
      if (!lrs || done) return;
      lrs.putState(stateParams(), d.suspend);
    },
    finish: function (kind, d) {
      if (!lrs || done) return;
      done = true;
      lrs.putState(stateParams(), d.suspend, true);
      if (!terminated && kind !== "normal") send("suspended", courseAct());
      lrs.flushNow();
    },
  };
})();
