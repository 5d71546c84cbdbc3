/* cmi5 adapter: reads the launch parameters (endpoint, fetch, actor, registration, activityId),
 * fetches the auth token once (kept for reloads in sessionStorage), reads LMS.LaunchData, sends
 * `initialized` first, `completed` and `passed`/`failed` only in Normal mode and once per
 * registration, `terminated` last, all with the context template; the decisions go as cmi5
 * "allowed" statements (answered, experienced) on the platform's node IRIs. Resume data is a
 * state document of the AU. */
(function () {
  "use strict";
  var X = window.ElearnXapi, PKG = window.ELEARN_PACKAGE;
  var CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
  var MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon";
  var MASTERY_EXT = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
  var STATE_ID = "https://w3id.org/xapi/elearn/state/resume";
  // Whether completed and passed/failed were sent in this registration (cmi5 allows each once,
  // and no failed after passed): kept in the LRS, because a scenario taken again after the end
  // and resumed in a later session finishes the course a second time.
  var REPORTED_ID = "https://w3id.org/xapi/elearn/state/reported";
  var reported = false;

  var lrs = null, launch = null, data = null, started = Date.now(), done = false, lang = PKG.lang;

  function copy(o) { return JSON.parse(JSON.stringify(o || {})); }
  /** The LMS's context template, with the registration and what the platform's statements carry
   * (language, platform, course version); cmi5 defined statements add the cmi5 category. */
  function context(defined, moveOn) {
    var ctx = copy(data.contextTemplate);
    ctx.registration = launch.registration;
    ctx.language = X.LANG_TAGS[lang] || lang;
    ctx.platform = "elearn";
    ctx.extensions = ctx.extensions || {};
    ctx.extensions[X.versionExt] = PKG.contentHash;
    ctx.contextActivities = ctx.contextActivities || {};
    if (defined) {
      var cats = ctx.contextActivities.category || [];
      cats.push({ objectType: "Activity", id: CMI5 });
      if (moveOn) cats.push({ objectType: "Activity", id: MOVEON });
      ctx.contextActivities.category = cats;
    }
    return ctx;
  }
  function statement(verb, object, ctx, result) {
    var s = { id: X.uuid(), version: X.VERSION, actor: launch.actor, verb: X.verb(verb), object: object, context: ctx, timestamp: X.now() };
    if (result) s.result = result;
    return s;
  }
  function au() { return { objectType: "Activity", id: launch.activityId }; }
  function normal() { return data.launchMode === "Normal"; }
  function stateParams(id) {
    return { stateId: id || STATE_ID, activityId: launch.activityId, agent: JSON.stringify(launch.actor), registration: launch.registration };
  }
  function allowed(verb, object, parentScenario, result) {
    var ctx = context(false, false);
    var acts = ctx.contextActivities;
    acts.parent = [X.scenarioActivity(parentScenario)];
    acts.grouping = (acts.grouping || []).concat([au()]);
    return statement(verb, object, ctx, result);
  }

  function token(fetchUrl) {
    var key = "elearn-cmi5-token:" + fetchUrl;
    try { var kept = window.sessionStorage.getItem(key); if (kept) return Promise.resolve(kept); } catch (e) { /* no storage */ }
    return fetch(fetchUrl, { method: "POST" }).then(function (r) { return r.json(); }).then(function (body) {
      if (!body["auth-token"]) throw new Error("cmi5 fetch: " + JSON.stringify(body));
      try { window.sessionStorage.setItem(key, body["auth-token"]); } catch (e) { /* no storage */ }
      return body["auth-token"];
    });
  }

  window.ElearnTracking = {
    name: "cmi5",
    start: function () {
      var q = new URLSearchParams(window.location.search);
      launch = { endpoint: q.get("endpoint"), fetch: q.get("fetch"), registration: q.get("registration"), activityId: q.get("activityId") };
      try { launch.actor = JSON.parse(q.get("actor")); } catch (e) { launch.actor = null; }
      if (!launch.endpoint || !launch.fetch || !launch.actor || !launch.registration || !launch.activityId) return { error: true };
      return token(launch.fetch).then(function (tok) {
        lrs = X.client(launch.endpoint, "Basic " + tok);
        return lrs.getState({ stateId: "LMS.LaunchData", activityId: launch.activityId, agent: JSON.stringify(launch.actor), registration: launch.registration });
      }).then(function (text) {
        data = JSON.parse(text || "{}");
        data.contextTemplate = data.contextTemplate || {};
        return Promise.all([
          lrs.getState(stateParams()).catch(function () { return null; }),
          lrs.getState(stateParams(REPORTED_ID)).catch(function () { return null; }),
          lrs.getProfile({ profileId: "cmi5LearnerPreferences", agent: JSON.stringify(launch.actor) }),
        ]);
      }).then(function (found) {
        reported = Boolean(found[1]);
        var prefs = found[2] && found[2].languagePreference ? String(found[2].languagePreference).split(",") : [];
        var prefLang = null;
        prefs.forEach(function (tag) {
          var code = tag.trim().toLowerCase().split("-")[0];
          if (code === "no") code = "nb";
          if (!prefLang && PKG.course.languages.indexOf(code) >= 0) prefLang = code;
        });
        lrs.send(statement("initialized", au(), context(true, false)));
        var mastery = typeof data.masteryScore === "number" ? data.masteryScore : null;
        return { resume: found[0] || null, review: !normal(), mastery: mastery, lang: prefLang, registration: launch.registration };
      }).catch(function () { return { error: true }; });
    },
    // Browse and Review launches record nothing but initialized/terminated (the player says so).
    entered: function (info) {
      if (!lrs || done || !normal()) return;
      lang = info.lang;
      lrs.send(allowed("experienced", X.nodeActivity(info.scenario, info.node), info.scenario));
    },
    answered: function (info) {
      if (!lrs || done || !normal()) return;
      lang = info.lang;
      lrs.send(allowed("answered", X.nodeActivity(info.scenario, info.node), info.scenario, X.choiceResult(info.choice)));
      lrs.send(allowed("experienced", X.nodeActivity(info.scenario, info.toNode), info.scenario));
    },
    completed: function (r) {
      if (!lrs || done || !normal() || reported) return;
      reported = true;
      lrs.putState(stateParams(REPORTED_ID), "1");
      var ms = Date.now() - started;
      lrs.send(statement("completed", au(), context(true, true), { completion: true, duration: X.duration(ms) }));
      var ctx = context(true, true);
      if (typeof data.masteryScore === "number") ctx.extensions[MASTERY_EXT] = data.masteryScore;
      lrs.send(statement(r.passed ? "passed" : "failed", au(), ctx,
        X.scoreResult(r.points, r.min, r.max, r.scaled, { success: r.passed, duration: X.duration(ms) })));
    },
    save: function (d) {
      if (!lrs || done || !normal()) return;
      lrs.putState(stateParams(), d.suspend);
    },
    finish: function (kind, d, navigate) {
      if (!lrs || done) return;
      done = true;
      if (normal()) lrs.putState(stateParams(), d.suspend, true);
      lrs.send(statement("terminated", au(), context(true, false), { duration: X.duration(Date.now() - started) }));
      lrs.flushNow();
      if (navigate && data.returnURL) {
        setTimeout(function () { window.location.href = data.returnURL; }, 300);
      }
    },
  };
})();
