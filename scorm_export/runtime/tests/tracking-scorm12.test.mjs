// The SCORM 1.2 adapter against a strict stand-in LMS: a "choice" interaction's student_response
// and correct_responses patterns must be SCORM 1.2 CMIFeedback (single characters 0-9, a-z,
// comma-separated), the character being the choice's place among the node's choices as authored.
// Run: node --test scorm_export/runtime/tests/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import vm from "node:vm";

const here = path.dirname(fileURLToPath(import.meta.url));
const source = readFileSync(path.join(here, "..", "tracking-scorm12.js"), "utf8");
const CHOICE_12 = /^[0-9a-z](,[0-9a-z])*$/;
const CHILDREN = "id,objectives,time,type,correct_responses,weighting,student_response,result,latency";

function lms(children = CHILDREN) {
  const data = {};
  const sets = [];
  const api = {
    LMSInitialize: () => "true",
    LMSFinish: () => "true",
    LMSCommit: () => "true",
    LMSGetValue: (k) => (k === "cmi.interactions._children" ? children : k === "cmi.interactions._count" ? "0" : data[k] || ""),
    LMSSetValue: (k, v) => {
      sets.push([k, v]);
      if (/\.correct_responses\./.test(k) && !children.split(",").includes("correct_responses")) return "false";
      if (/\.(student_response|correct_responses\.\d+\.pattern)$/.test(k) && !CHOICE_12.test(v)) return "false";
      data[k] = v;
      return "true";
    },
  };
  return { api, data, sets };
}

function adapter(api) {
  const window = { API: api, ElearnEngine: { pyRound: (x) => x } };
  window.parent = window;
  vm.runInNewContext(source, { window });
  const T = window.ElearnTracking;
  assert.ok(!T.start().error);
  return T;
}

const choices = (n, correct = []) =>
  Array.from({ length: n }, (_, i) => ({ id: `valg-${i}`, ...(correct.includes(i) ? { correct: true } : {}) }));

function answer(T, node, i) {
  T.answered({ scenario: { id: "scen" }, node, choice: node.choices[i], lang: "nb" });
}

test("the response is the choice's letter in authored order; the correct one is pattern 0", () => {
  const { api, data, sets } = lms();
  const T = adapter(api);
  const node = { id: "start", choices: choices(3, [1]) };
  answer(T, node, 2);
  assert.equal(data["cmi.interactions.0.id"], "scen__start");
  assert.equal(data["cmi.interactions.0.type"], "choice");
  assert.equal(data["cmi.interactions.0.student_response"], "c");
  assert.equal(data["cmi.interactions.0.correct_responses.0.pattern"], "b");
  assert.equal(data["cmi.interactions.0.result"], "neutral");
  assert.match(data["cmi.interactions.0.time"], /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/);
  assert.equal(sets.filter(([k]) => k.includes(".correct_responses.")).length, 1); // once
  assert.ok(sets.every(([, v]) => v !== "valg-2"), "a choice id reached the LMS");
});

test("letters run a-z then 0-9; several correct choices give one pattern each", () => {
  const { api, data } = lms();
  const T = adapter(api);
  const node = { id: "many", choices: choices(36, [0, 27]) };
  answer(T, node, 25);
  answer(T, node, 26);
  answer(T, node, 35);
  assert.deepEqual(
    [0, 1, 2].map((n) => data[`cmi.interactions.${n}.student_response`]),
    ["z", "0", "9"],
  );
  assert.equal(data["cmi.interactions.0.correct_responses.0.pattern"], "a");
  assert.equal(data["cmi.interactions.0.correct_responses.1.pattern"], "1");
});

test("no pattern without a correct choice, nor when the LMS lacks correct_responses", () => {
  const plain = lms();
  answer(adapter(plain.api), { id: "n", choices: choices(2) }, 0);
  assert.ok(!plain.sets.some(([k]) => k.includes("correct_responses")));
  assert.equal(plain.data["cmi.interactions.0.student_response"], "a");

  const partial = lms("id,type,student_response,result,time,weighting");
  answer(adapter(partial.api), { id: "n", choices: choices(2, [0]) }, 1);
  assert.ok(!partial.sets.some(([k]) => k.includes("correct_responses")));
  assert.equal(partial.data["cmi.interactions.0.student_response"], "b");
});

test("a course finished again after a scenario is taken again never lowers what the LMS holds", () => {
  const { api, data } = lms();
  const T = adapter(api);
  const result = (scaled, passed) => ({ scaled, passed, max: 18, points: 0, min: 0 });
  T.completed(result(0.5, false));
  assert.deepEqual([data["cmi.core.lesson_status"], data["cmi.core.score.raw"]], ["failed", "50"]);
  T.completed(result(0.9, true)); // better: reported
  assert.deepEqual([data["cmi.core.lesson_status"], data["cmi.core.score.raw"]], ["passed", "90"]);
  T.completed(result(0.2, false)); // worse: the pass and its score stay
  assert.deepEqual([data["cmi.core.lesson_status"], data["cmi.core.score.raw"]], ["passed", "90"]);
  T.completed(result(0.8, true)); // a lower pass: the higher score stays
  assert.equal(data["cmi.core.score.raw"], "90");
});
