/* xAPI 1.0.3 for the cmi5 and TinCan adapters: the platform's activities and results
 * (elearn/tracking/statements.py, same IRIs from the package's base), and an in-order statement
 * queue that sends with keepalive so what is queued at unload still leaves. */
(function () {
  "use strict";
  var PKG = window.ELEARN_PACKAGE, course = PKG.course;
  var ADL = "http://adlnet.gov/expapi";
  var LANG_TAGS = { nb: "nb-NO", nn: "nn-NO", en: "en" };
  var PROGRESS_EXT = "https://w3id.org/xapi/cmi5/result/extensions/progress";

  function uuid() {
    var b = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function cut(s, limit) {
    s = String(s).split(/\s+/).join(" ").trim();
    var chars = Array.from(s);
    return limit && chars.length > limit ? chars.slice(0, limit - 1).join("") + "…" : s;
  }
  function langMap(map, limit) {
    var out = {};
    Object.keys(map || {}).forEach(function (k) { out[LANG_TAGS[k] || k] = cut(map[k], limit); });
    return out;
  }
  var base = PKG.base + "/courses/" + course.id;
  var X = {
    ADL: ADL,
    VERSION: "1.0.3", // as the platform's statements say (tracking/statements.py)
    LANG_TAGS: LANG_TAGS,
    uuid: uuid,
    verb: function (name) { return { id: ADL + "/verbs/" + name, display: { "en-US": name } }; },
    courseIri: base,
    versionExt: PKG.base + "/extensions/course-version",
    courseActivity: function (id) {
      return { objectType: "Activity", id: id || base, definition: {
        type: ADL + "/activities/course", name: langMap(course.title), description: langMap(course.description, 250) } };
    },
    scenarioActivity: function (s) {
      return { objectType: "Activity", id: base + "/scenarios/" + s.id,
        definition: { type: ADL + "/activities/module", name: langMap(s.title) } };
    },
    nodeActivity: function (s, node) {
      var id = base + "/scenarios/" + s.id + "/nodes/" + node.id;
      if (node.ending) {
        return { objectType: "Activity", id: id, definition: { type: ADL + "/activities/interaction", name: langMap(node.ending.title, 120) } };
      }
      return { objectType: "Activity", id: id, definition: {
        type: ADL + "/activities/cmi.interaction", name: langMap(node.text, 120), interactionType: "choice",
        choices: node.choices.map(function (c) { return { id: c.id, description: langMap(c.text, 250) }; }) } };
    },
    choiceResult: function (choice) {
      var r = { response: choice.id };
      if (choice.correct !== null && choice.correct !== undefined) r.success = Boolean(choice.correct);
      if (choice.points) r.score = { raw: choice.points };
      return r;
    },
    scoreResult: function (points, min, max, scaled, extra) {
      var score = { scaled: scaled, raw: points };
      if (min < max) { score.min = min; score.max = max; }
      var r = { score: score };
      Object.keys(extra || {}).forEach(function (k) { r[k] = extra[k]; });
      return r;
    },
    progressResult: function (percent) {
      var ext = {}; ext[PROGRESS_EXT] = Math.max(0, Math.min(100, percent));
      return { extensions: ext };
    },
    duration: function (ms) { return "PT" + (Math.max(0, ms) / 1000).toFixed(2) + "S"; },
    now: function () { return new Date().toISOString(); },
    /** An xAPI client for one endpoint: statements in order, state documents. */
    client: function (endpoint, auth) {
      endpoint = endpoint.replace(/\/?$/, "/");
      var pending = [], sending = false, chain = Promise.resolve();
      function headers(json) {
        var h = { "X-Experience-API-Version": "1.0.3", Authorization: auth };
        if (json) h["Content-Type"] = "application/json";
        return h;
      }
      function flush(keepalive) {
        if (!pending.length) return chain;
        var batch = pending; pending = [];
        var send = function () {
          return fetch(endpoint + "statements", { method: "POST", headers: headers(true), body: JSON.stringify(batch), keepalive: Boolean(keepalive) })
            .then(function (r) { if (!r.ok) throw new Error("LRS " + r.status); })
            .catch(function (e) { if (window.console) console.warn("elearn: statements not sent", e); });
        };
        if (keepalive) { send(); return chain; }
        chain = chain.then(send);
        return chain;
      }
      function query(params) {
        return Object.keys(params).filter(function (k) { return params[k] !== undefined && params[k] !== null; })
          .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); }).join("&");
      }
      return {
        send: function (statement) { pending.push(statement); return Promise.resolve().then(function () { return flush(false); }); },
        flushNow: function () { return flush(true); },
        idle: function () { return flush(false); },
        getState: function (params) {
          return fetch(endpoint + "activities/state?" + query(params), { headers: headers(false) }).then(function (r) {
            if (r.status === 404) return null;
            if (!r.ok) throw new Error("LRS " + r.status);
            return r.text();
          });
        },
        putState: function (params, body, keepalive) {
          return fetch(endpoint + "activities/state?" + query(params), {
            method: "PUT", headers: { "X-Experience-API-Version": "1.0.3", Authorization: auth, "Content-Type": "text/plain" },
            body: body, keepalive: Boolean(keepalive) }).catch(function () { return null; });
        },
        getProfile: function (params) {
          return fetch(endpoint + "agents/profile?" + query(params), { headers: headers(false) }).then(function (r) {
            return r.ok ? r.json() : null;
          }).catch(function () { return null; });
        },
      };
    },
  };
  window.ElearnXapi = X;
})();
