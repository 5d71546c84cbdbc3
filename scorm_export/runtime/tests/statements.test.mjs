// The packages' statements against the platform's: the cmi5 and xAPI adapters (xapi-common.js and
// tracking-*.js, loaded as a package loads them) are driven through each path and course run of the
// vectors the way player.js drives them, against an in-memory LRS, and what they send is compared
// with what elearn's player service sends for the same path (vectors.py, `statements`).
//
// How they are compared:
// - Left out on both sides: id, timestamp, actor, stored, authority (they differ by design).
//   Registration: the package is launched with the path's registration, so it must be equal.
//   Durations: the platform measures wall time, so a result's `duration` must be an ISO 8601
//   duration in seconds on both sides ("PT12.3S") and is then compared as "PT…S".
// - xAPI: the same statements, in the same order, equal in everything else.
// - cmi5 sends what the cmi5 spec asks for, derived from the platform's statements by
//   `asCmi5` below: the platform's launched/progressed and the scenario-level `completed` have no
//   cmi5 counterpart and are left out; `resumed` after a break is a new session's `initialized`
//   and `suspended` its `terminated`; course-level statements are about the AU
//   ({objectType, id: activityId}) and carry the cmi5 category (completed/passed/failed also
//   moveOn, passed/failed the LMS's masteryscore); `completed` carries completion and duration
//   only (cmi5 9.5.x: no score on completed), `terminated` a duration. Every statement's context
//   is the LMS's context template (session id extension, its context activities) with the
//   registration, plus the platform's language, platform and course-version extension; the
//   decisions (experienced, answered) keep the platform's object, result and parent, and have the
//   AU added to the template's grouping in place of the course activity.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import path from "node:path";

const require = createRequire(import.meta.url);
const E = require("../engine.js");
const here = path.dirname(fileURLToPath(import.meta.url));
const runtime = path.join(here, "..");
const vectorsPath = process.env.ELEARN_VECTORS || path.join(here, "..", "..", "..", "build", "vectors.json");
const vectors = existsSync(vectorsPath) ? JSON.parse(readFileSync(vectorsPath, "utf8")) : { courses: [] };
const source = (name) => readFileSync(path.join(runtime, name), "utf8");

const ADL = "http://adlnet.gov/expapi";
const CMI5_CAT = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
const MOVEON_CAT = "https://w3id.org/xapi/cmi5/context/categories/moveon";
const MASTERY_EXT = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
const SESSION_EXT = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
const AU_ID = "https://lms.example/au/42";
const TEMPLATE_GROUPING = { objectType: "Activity", id: "https://lms.example/course/7" };
const MASTERY = 0.7;

/** A stored statement as the platform built it (vectors.py `expand`). */
function expand(c, common, s) {
  const acts = {};
  for (const [k, v] of Object.entries(s.activities || {})) acts[k] = v.map((i) => c.activities[i]);
  const out = {
    version: common.version,
    verb: c.verbs[s.verb],
    object: c.activities[s.object],
    context: { ...common.context, contextActivities: acts },
  };
  if (s.result) out.result = s.result;
  return out;
}

/** What is compared: without the fields left out, durations checked then blanked. */
function comparable(statement) {
  const s = JSON.parse(JSON.stringify(statement));
  for (const k of vectors.stripped) delete s[k];
  if (s.result && "duration" in s.result) {
    assert.match(s.result.duration, /^PT\d+(\.\d+)?S$/, "a duration in seconds");
    s.result.duration = "PT…S";
  }
  return s;
}

/** An LRS in memory: statements in the order they arrive, state documents, no profile. */
function makeLrs() {
  const lrs = { statements: [], state: new Map() };
  lrs.fetch = async (url, opts = {}) => {
    const u = new URL(url);
    const method = opts.method || "GET";
    const reply = (status, body) => ({ ok: status < 300, status, text: async () => body, json: async () => JSON.parse(body) });
    if (u.pathname.endsWith("/token") && method === "POST") return reply(200, JSON.stringify({ "auth-token": "dG9r" }));
    if (u.pathname.endsWith("/statements") && method === "POST") {
      lrs.statements.push(...JSON.parse(opts.body));
      return reply(200, "[]");
    }
    if (u.pathname.endsWith("/activities/state")) {
      const key = u.searchParams.get("stateId") + "|" + u.searchParams.get("registration");
      if (method === "PUT") { lrs.state.set(key, opts.body); return reply(204, ""); }
      return lrs.state.has(key) ? reply(200, lrs.state.get(key)) : reply(404, "");
    }
    return reply(404, "");
  };
  return lrs;
}

/** One launch of a package's tracking adapter, loaded as index.html loads it. */
function launch(kind, c, lang, query, lrs) {
  const storage = new Map();
  const window = {
    ELEARN_PACKAGE: { base: vectors.base, contentHash: c.content_hash, lang, course: c.course, format: kind },
    location: { search: "?" + new URLSearchParams(query).toString(), href: "" },
    crypto: globalThis.crypto,
    sessionStorage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, v) },
    console: { warn: () => {} },
  };
  const context = vm.createContext({ window, fetch: lrs.fetch, URLSearchParams, setTimeout, console });
  vm.runInContext(source("xapi-common.js"), context);
  vm.runInContext(source(`tracking-${kind}.js`), context);
  return window.ElearnTracking;
}

function launchQuery(kind, course, reg) {
  const actor = JSON.stringify({ objectType: "Agent", account: { homePage: "https://lms.example", name: "kari" } });
  if (kind === "xapi") {
    const activity = `${vectors.base}/courses/${course.id}`; // tincan.xml's default: the platform's IRI
    return { endpoint: "https://lrs.example/xapi/", auth: "Basic dG9r", actor, registration: reg, activity_id: activity };
  }
  return { endpoint: "https://lrs.example/xapi/", fetch: "https://lms.example/token", actor, registration: reg, activityId: AU_ID };
}

function launchData(lrs, reg, session) {
  const template = {
    contextActivities: { grouping: [TEMPLATE_GROUPING] },
    extensions: { [SESSION_EXT]: session },
  };
  const data = { launchMode: "Normal", masteryScore: MASTERY, returnURL: "https://lms.example/back", contextTemplate: template };
  lrs.state.set("LMS.LaunchData|" + reg, JSON.stringify(data));
}

const settle = () => new Promise((r) => setTimeout(r, 0));

/** Plays `steps` ([scenario, choice or null to enter]) as player.js does, with a break (the
 * session ends, a new launch resumes) after step `pause`; returns what the LRS received. */
async function play(kind, c, steps, reg, lang, pause) {
  const course = c.course;
  const lrs = makeLrs();
  let session = 1;
  const open = async () => {
    if (kind === "cmi5") launchData(lrs, reg, `session-${session++}`);
    const T = launch(kind, c, lang, launchQuery(kind, course, reg), lrs);
    const info = await T.start();
    assert.ok(!info.error, "the adapter launched");
    return T;
  };
  let T = await open();
  const states = {};
  let reported = false;
  const data = () => ({ suspend: E.encode(course, { lang, current: null, seed: reg, scenarios: states }), location: "", percent: E.courseProgress(course, states), result: E.courseResult(course, states) });
  for (const [i, [sid, cid]] of steps.entries()) {
    const scenario = E.scenarioById(course, sid);
    if (cid === null) {
      states[sid] = E.initialState(scenario);
      T.entered({ scenario, node: E.currentNode(scenario, states[sid]), percent: E.courseProgress(course, states), lang });
    } else {
      const step = E.choose(scenario, states[sid], cid);
      states[sid] = step.state;
      const fromNode = scenario.nodes[step.fromNode];
      T.answered({
        scenario, node: fromNode, choice: step.choice, choiceIndex: fromNode.choices.indexOf(step.choice),
        toNode: scenario.nodes[step.toNode], state: step.state, percent: E.courseProgress(course, states), lang,
        scaled: E.scaledScore(step.state.points, scenario.max_score),
      });
      const r = E.courseResult(course, states);
      if (r.ended && !reported) { reported = true; T.completed(r); }
    }
    T.save(data());
    await settle();
    if (i === pause) {
      T.finish("suspend", data(), false);
      await settle();
      T = await open();
    }
  }
  if (E.courseResult(course, states).ended) { // the learner leaves the finished course
    T.finish("normal", data(), false);
    await settle();
  }
  return lrs.statements;
}

function verbName(s) { return s.verb.id.slice(`${ADL}/verbs/`.length); }

/** The cmi5 statements the platform's statements stand for (see the top of this file). */
function asCmi5(platform, c, reg) {
  const course = c.course;
  const courseIri = `${vectors.base}/courses/${course.id}`;
  const au = { objectType: "Activity", id: AU_ID };
  const out = [];
  let session = 1;
  const verb = (name) => ({ id: `${ADL}/verbs/${name}`, display: { "en-US": name } });
  for (const s of platform) {
    const name = verbName(s);
    const aboutCourse = s.object.id === courseIri;
    if (name === "launched" || name === "progressed" || (name === "completed" && !aboutCourse)) continue;
    const mapped = name === "resumed" ? "initialized" : name === "suspended" ? "terminated" : name;
    if (name === "resumed") session += 1;
    const context = {
      registration: reg,
      contextActivities: { grouping: [TEMPLATE_GROUPING] },
      extensions: { ...s.context.extensions, [SESSION_EXT]: `session-${session}` },
      language: s.context.language,
      platform: s.context.platform,
    };
    const st = { version: s.version, verb: verb(mapped), object: aboutCourse ? au : s.object, context };
    if (!aboutCourse) {
      context.contextActivities.parent = s.context.contextActivities.parent;
      context.contextActivities.grouping = [TEMPLATE_GROUPING, au];
      if (s.result) st.result = s.result;
    } else {
      const moveOn = ["completed", "passed", "failed"].includes(mapped);
      context.contextActivities.category = [{ objectType: "Activity", id: CMI5_CAT }]
        .concat(moveOn ? [{ objectType: "Activity", id: MOVEON_CAT }] : []);
      if (mapped === "passed" || mapped === "failed") {
        context.extensions[MASTERY_EXT] = MASTERY;
        st.result = s.result;
      }
      if (mapped === "completed") st.result = { completion: true, duration: "PT…S" };
      if (mapped === "terminated") st.result = { duration: "PT…S" };
    }
    out.push(st);
  }
  return out;
}

/** The platform's statements of a path or run, compared as above. */
function expected(c, stored) {
  return stored.list.map((s) => comparable(expand(c, stored.common, s)));
}

function same(actual, wanted, where) {
  const verbs = (list) => list.map(verbName).join(" ");
  for (let i = 0; i < Math.min(actual.length, wanted.length); i++) {
    assert.deepEqual(actual[i], wanted[i], `${where}, statement ${i} (${verbName(wanted[i])})`);
  }
  assert.equal(verbs(actual), verbs(wanted), `${where}: the same statements in the same order`);
}

async function compare(c, steps, reg, lang, pause, stored, where) {
  const platform = expected(c, stored);
  same((await play("xapi", c, steps, reg, lang, pause)).map(comparable), platform, `${where}, xAPI`);
  same((await play("cmi5", c, steps, reg, lang, pause)).map(comparable), asCmi5(platform, c, reg), `${where}, cmi5`);
}

test("the vectors hold the platform's statements", () => {
  const kept = vectors.courses.flatMap((c) => c.scenarios.flatMap((s) => s.paths.filter((p) => p.statements)));
  assert.ok(kept.length > 0);
  assert.ok(vectors.courses.every((c) => c.runs.some((r) => r.statements && r.pause !== null)));
});

for (const c of vectors.courses) {
  for (const sv of c.scenarios) {
    const paths = sv.paths.filter((p) => p.statements);
    test(`${c.id}/${sv.id}: ${paths.length} paths send the platform's statements (xAPI, cmi5)`, async () => {
      for (const p of paths) {
        const steps = [[sv.id, null], ...p.choices.map((cid) => [sv.id, cid])];
        await compare(c, steps, p.registration, p.lang, null, p.statements, `${c.id}/${sv.id} ${p.choices.join(",")}`);
      }
    });
  }
  const runs = c.runs.filter((r) => r.statements);
  test(`${c.id}: ${runs.length} course runs send the platform's statements (xAPI, cmi5)`, async () => {
    for (const [i, r] of runs.entries()) {
      await compare(c, r.steps, r.registration, r.lang, r.pause, r.statements, `${c.id} run ${i}`);
    }
  });
}
