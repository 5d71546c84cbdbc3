/* elearn scenario engine: a faithful port of elearn/core/engine.py (with the choice order) and
 * the condition evaluator of elearn/core/conditions.py, plus the course rules of
 * elearn/core/rules.py (progress, points, pass, next scenario) and the resume encoding. Held to the Python engine by shared test
 * vectors (python -m scorm_export.vectors; scorm_export/runtime/tests). ES2017, no dependencies.
 * A scenario state is {node, vars, points, path: [[node, choice]...], ended}, as in Python. */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.ElearnEngine = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  function InvalidChoice(message) {
    var e = new Error(message);
    e.name = "InvalidChoice";
    return e;
  }

  // Python's bool is an int: True == 1, False < 1. Comparisons run on numbers.
  function num(v) { return typeof v === "boolean" ? (v ? 1 : 0) : v; }

  function lookup(env, name) {
    if (!Object.prototype.hasOwnProperty.call(env, name)) throw new Error("unknown variable " + name);
    return env[name];
  }

  /** conditions.evaluate: null/undefined means "always". */
  function evaluate(ast, env) {
    if (ast === null || ast === undefined) return true;
    if ("cmp" in ast) {
      var left = num(lookup(env, ast["var"])), right = num(ast.value), op = ast.cmp;
      if (op === "==") return left === right;
      if (op === "!=") return left !== right;
      if (op === "<") return left < right;
      if (op === "<=") return left <= right;
      if (op === ">") return left > right;
      return left >= right;
    }
    if ("var" in ast) return Boolean(lookup(env, ast["var"]));
    if ("not" in ast) return !evaluate(ast.not, env);
    if ("and" in ast) return ast.and.every(function (a) { return evaluate(a, env); });
    return ast.or.some(function (a) { return evaluate(a, env); });
  }

  function isEnding(node) { return node.ending !== undefined && node.ending !== null; }

  function copyVars(vars) {
    var out = {};
    Object.keys(vars).forEach(function (k) { out[k] = vars[k]; });
    return out;
  }

  function initialState(scenario) {
    var vars = {};
    Object.keys(scenario.variables || {}).forEach(function (name) {
      vars[name] = scenario.variables[name]["default"];
    });
    return {
      node: scenario.start,
      vars: vars,
      points: 0,
      path: [],
      ended: isEnding(scenario.nodes[scenario.start]),
    };
  }

  function currentNode(scenario, state) { return scenario.nodes[state.node]; }

  /** The node's choices whose `if` holds now, in authored order. */
  function offeredChoices(scenario, state) {
    return (currentNode(scenario, state).choices || []).filter(function (c) {
      return evaluate(c["if"], state.vars);
    });
  }

  /** FNV-1a, 32 bits, over the UTF-8 bytes (engine.fnv1a32). */
  function fnv1a32(text) {
    var h = 0x811c9dc5;
    var bytes = utf8(String(text));
    for (var i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    return h;
  }

  function utf8(text) {
    var out = [];
    for (var i = 0; i < text.length; i++) {
      var c = text.codePointAt(i);
      if (c > 0xffff) i++; // the second half of a surrogate pair
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return out;
  }

  /** The offered choices in this attempt's order (engine.choice_order): by the hash of
   * seed|scenario|node|choice, or as written for a node with `order: fixed`. */
  function choiceOrder(scenarioId, node, offered, seed) {
    if (node.order === "fixed") return offered.slice();
    var keyed = offered.map(function (c, i) {
      return { c: c, i: i, h: fnv1a32(seed + "|" + scenarioId + "|" + node.id + "|" + c.id) };
    });
    keyed.sort(function (a, b) { return a.h - b.h || a.i - b.i; });
    return keyed.map(function (k) { return k.c; });
  }

  /** The node's text followed by every conditional paragraph that holds now. */
  function visibleText(node, state) {
    var texts = [node.text];
    (node.conditional_text || []).forEach(function (c) {
      if (evaluate(c["if"], state.vars)) texts.push(c.text);
    });
    return texts;
  }

  /** `set` first, then `add` clamped into the variable's declared range. */
  function applyEffects(scenario, vars, choice) {
    var out = copyVars(vars);
    var set = choice.set || {}, add = choice.add || {};
    Object.keys(set).forEach(function (k) { out[k] = set[k]; });
    Object.keys(add).forEach(function (name) {
      var spec = scenario.variables[name];
      out[name] = Math.max(spec.min, Math.min(spec.max, out[name] + add[name]));
    });
    return out;
  }

  /** The first route whose condition holds, evaluated after the choice's effects. */
  function route(choice, vars) {
    for (var i = 0; i < choice.next.length; i++) {
      if (evaluate(choice.next[i]["if"], vars)) return choice.next[i].to;
    }
    throw new Error("validated courses always end routes with an unconditional one");
  }

  function choose(scenario, state, choiceId) {
    if (state.ended) throw InvalidChoice("the scenario has already ended");
    var choice = null;
    offeredChoices(scenario, state).forEach(function (c) { if (c.id === choiceId) choice = c; });
    if (choice === null) {
      throw InvalidChoice("choice '" + choiceId + "' is not offered at node '" + state.node + "'");
    }
    var vars = applyEffects(scenario, state.vars, choice);
    var target = route(choice, vars);
    var next = {
      node: target,
      vars: vars,
      points: state.points + (choice.points || 0),
      path: state.path.concat([[state.node, choiceId]]),
      ended: isEnding(scenario.nodes[target]),
    };
    return { state: next, choice: choice, fromNode: state.node, toNode: target };
  }

  /** Python's round(x, ndigits): the decimal nearest the exact binary value, ties to even. */
  function pyRound(x, ndigits) {
    var nd = ndigits || 0, f = Math.pow(10, nd), half = x * Math.pow(2, nd + 1);
    // An exact tie needs x = odd / 2^(nd+1); then x * 10^nd is an exact half-integer.
    if (Number.isInteger(half) && !Number.isInteger(half / 2) && Math.abs(x * f) < 1e15) {
      var n = x * f - 0.5;
      if (n % 2 !== 0) n += 1;
      return n / f;
    }
    return Number(x.toFixed(nd));
  }

  /** The learner's share of the best possible score, in [0, 1]. */
  function scaledScore(points, maxScore) {
    if (maxScore <= 0) return 0.0;
    return pyRound(Math.max(0.0, Math.min(1.0, points / maxScore)), 4);
  }

  /** [decisions made, decisions made + the fewest still needed] (at least 1). */
  function progress(scenario, state) {
    var done = state.path.length;
    return [done, Math.max(done + (state.ended ? 0 : scenario.remaining[state.node]), 1)];
  }

  // ---- the course: service.course_progress / course_points / all_ended / the pass rule --------
  function scenarioById(course, id) {
    for (var i = 0; i < course.scenarios.length; i++) if (course.scenarios[i].id === id) return course.scenarios[i];
    return null;
  }

  /** Percent of the course done (for progressed and the progress bar). */
  function courseProgress(course, states) {
    var total = 0.0;
    course.scenarios.forEach(function (s) {
      var st = states[s.id];
      if (!st) return;
      var p = progress(s, st);
      total += st.ended ? 1.0 : p[0] / p[1];
    });
    return pyRound(100 * total / Math.max(1, course.scenarios.length), 0);
  }

  function allEnded(course, states) {
    return course.scenarios.every(function (s) { return Boolean(states[s.id] && states[s.id].ended); });
  }

  function courseMinScore(course) {
    return course.scenarios.reduce(function (a, s) { return a + s.min_score; }, 0);
  }

  /** Points, range, scaled score and pass as the platform computes them at the end. */
  function courseResult(course, states, masteryScore) {
    var points = 0;
    Object.keys(states).forEach(function (k) { points += states[k].points; });
    var scaled = scaledScore(points, course.max_score);
    var mastery = masteryScore === undefined || masteryScore === null ? course.mastery_score : masteryScore;
    return {
      points: points,
      min: courseMinScore(course),
      max: course.max_score,
      scaled: scaled,
      passed: scaled >= mastery,
      ended: allEnded(course, states),
    };
  }

  /** Whether the result page advises taking a scenario again (rules.take_again): not finished,
   * an ending that was not good, or a scaled score below the pass mark. */
  function takeAgain(scenario, state, masteryScore) {
    if (!state || !state.ended) return true;
    var ending = currentNode(scenario, state).ending;
    return ending.outcome !== "good" || scaledScore(state.points, scenario.max_score) < masteryScore;
  }

  /** The next unfinished scenario after `id`, wrapping round (service.play_page). */
  function nextScenario(course, states, id) {
    var list = course.scenarios, here = 0;
    for (var i = 0; i < list.length; i++) if (list[i].id === id) here = i;
    var order = list.slice(here + 1).concat(list.slice(0, here));
    for (var j = 0; j < order.length; j++) {
      var st = states[order[j].id];
      if (!(st && st.ended)) return order[j];
    }
    return null;
  }

  // ---- resume: a compact, replayable encoding (kept far below SCORM 1.2's 4,096 characters) ----
  // "e2.<lang>.<current scenario index in base 36, or empty>.<seed>.<part>.<part>…" (rules.py),
  // one part per scenario: empty = not started, "_" then one base-36 character per choice (the
  // choice's index in the node's authored list, whatever order it was shown in; "(" base36 ")"
  // for an index of 36 or more). `seed` is the attempt's choice-order seed. A stretch of choices
  // that comes back to a state (node, variables, points) already passed is left out: replaying
  // without it gives the same state, and it keeps looping paths from growing the data. "e1"
  // (before choices were shuffled: no seed) is still read.
  var DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";
  var VERSION = "e2";
  var HEADER = { e1: 3, e2: 4 };
  var SEED = /^[0-9A-Za-z_-]*$/;

  function stateKey(state) {
    var keys = Object.keys(state.vars).sort();
    return state.node + "|" + keys.map(function (k) { return k + "=" + num(state.vars[k]); }).join(",") + "|" + state.points;
  }

  /** The choice indexes of a scenario's path, loops back to an earlier state removed. */
  function loopFreeIndexes(scenario, state) {
    var s = initialState(scenario);
    var seen = {}, kept = [];
    seen[stateKey(s)] = 0;
    state.path.forEach(function (step) {
      var node = scenario.nodes[step[0]];
      var idx = -1;
      node.choices.forEach(function (c, i) { if (c.id === step[1]) idx = i; });
      s = choose(scenario, s, step[1]).state;
      var key = stateKey(s);
      if (Object.prototype.hasOwnProperty.call(seen, key)) {
        kept = kept.slice(0, seen[key]);
      } else {
        kept.push(idx);
        seen[key] = kept.length;
      }
      // forget keys beyond the kept prefix
      Object.keys(seen).forEach(function (k) { if (seen[k] > kept.length) delete seen[k]; });
    });
    return kept;
  }

  function encodeIndex(i) { return i < 36 ? DIGITS.charAt(i) : "(" + i.toString(36) + ")"; }

  /** snapshot: {lang, current, seed, scenarios: {id: state}}. */
  function encode(course, snapshot) {
    var seed = snapshot.seed || "";
    if (!SEED.test(seed)) throw new Error("a resume seed is letters, digits, '-' and '_'");
    var current = "";
    course.scenarios.forEach(function (s, i) { if (s.id === snapshot.current) current = i.toString(36); });
    var parts = course.scenarios.map(function (s) {
      var st = snapshot.scenarios[s.id];
      if (!st) return "";
      return "_" + loopFreeIndexes(s, st).map(encodeIndex).join("");
    });
    return [VERSION, snapshot.lang || "", current, seed].concat(parts).join(".");
  }

  function replayPart(scenario, body) {
    var st = initialState(scenario);
    var m, re = /\(([0-9a-z]+)\)|([0-9a-z])/g, consumed = 0;
    while ((m = re.exec(body)) !== null) {
      if (m.index !== consumed) throw new Error("bad part");
      consumed = re.lastIndex;
      var idx = m[1] ? parseInt(m[1], 36) : DIGITS.indexOf(m[2]);
      var choice = currentNode(scenario, st).choices[idx];
      if (!choice) throw new Error("bad index");
      st = choose(scenario, st, choice.id).state;
    }
    if (consumed !== body.length) throw new Error("bad part");
    return st;
  }

  /** The snapshot an encoding stands for, replayed through the engine; null if it does not fit. */
  function decode(course, text) {
    if (typeof text !== "string") return null;
    var fields = text.split(".");
    var header = Object.prototype.hasOwnProperty.call(HEADER, fields[0]) ? HEADER[fields[0]] : 0;
    if (!header || fields.length !== header + course.scenarios.length) return null;
    var seed = header === 4 ? fields[3] : null;
    if ((seed !== null && !SEED.test(seed)) || !/^[0-9a-z]*$/.test(fields[2])) return null;
    try {
      var states = {};
      course.scenarios.forEach(function (s, i) {
        var part = fields[header + i];
        if (part === "") return;
        if (part.charAt(0) !== "_") throw new Error("bad part");
        states[s.id] = replayPart(s, part.slice(1));
      });
      var current = fields[2] === "" ? null : course.scenarios[parseInt(fields[2], 36)];
      return {
        lang: fields[1] || null,
        current: current && states[current.id] ? current.id : null,
        seed: seed || null,
        scenarios: states,
      };
    } catch (e) {
      return null;
    }
  }

  return {
    InvalidChoice: InvalidChoice,
    evaluate: evaluate,
    isEnding: isEnding,
    initialState: initialState,
    currentNode: currentNode,
    offeredChoices: offeredChoices,
    visibleText: visibleText,
    fnv1a32: fnv1a32,
    choiceOrder: choiceOrder,
    applyEffects: applyEffects,
    route: route,
    choose: choose,
    pyRound: pyRound,
    scaledScore: scaledScore,
    progress: progress,
    scenarioById: scenarioById,
    courseProgress: courseProgress,
    allEnded: allEnded,
    courseResult: courseResult,
    nextScenario: nextScenario,
    takeAgain: takeAgain,
    stateKey: stateKey,
    encode: encode,
    decode: decode,
  };
});
