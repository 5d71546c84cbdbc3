// The JavaScript runtime against the Python engine: every vector from
// `python -m scorm_export.vectors` (build/vectors.json, or $ELEARN_VECTORS) must replay exactly.
// Run: node --test scorm_export/runtime/tests/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const require = createRequire(import.meta.url);
const E = require("../engine.js");
const here = path.dirname(fileURLToPath(import.meta.url));
const vectorsPath = process.env.ELEARN_VECTORS || path.join(here, "..", "..", "..", "build", "vectors.json");

test("the vectors exist (make test generates them)", () => {
  assert.ok(existsSync(vectorsPath), `no vectors at ${vectorsPath}: run make js-test`);
});

const vectors = existsSync(vectorsPath) ? JSON.parse(readFileSync(vectorsPath, "utf8")) : { courses: [] };

test("there is at least one course with paths", () => {
  assert.ok(vectors.courses.length > 0);
  assert.ok(vectors.courses.every((c) => c.scenarios.every((s) => s.paths.length > 0)));
});

for (const c of vectors.courses) {
  const course = c.course;
  for (const sv of c.scenarios) {
    const scenario = course.scenarios.find((s) => s.id === sv.id);
    test(`${c.id}/${sv.id}: ${sv.paths.length} paths give the same nodes, vars, points, order, outcome`, () => {
      for (const p of sv.paths) {
        let state = E.initialState(scenario);
        let vars = {};
        const check = (i) => {
          const where = `${c.id}/${sv.id} path ${p.choices.join(",")} step ${i}`;
          assert.equal(state.node, p.nodes[i], where);
          vars = { ...vars, ...p.var_changes[i] }; // the start's variables, then what changed
          assert.deepEqual(state.vars, vars, where);
          assert.equal(state.points, p.points[i], where);
          const offered = state.ended ? [] : E.offeredChoices(scenario, state).map((x) => x.id);
          assert.deepEqual(offered, p.offered[i], where);
          const shownOrder = state.ended ? [] : E.choiceOrder(scenario.id, E.currentNode(scenario, state),
            E.offeredChoices(scenario, state), p.registration).map((x) => x.id);
          assert.deepEqual(shownOrder, p.order[i], `${where}: choice order`);
          const node = E.currentNode(scenario, state);
          const shown = (node.conditional_text || [])
            .map((ct, k) => (E.evaluate(ct.if, state.vars) ? k : -1)).filter((k) => k >= 0);
          assert.deepEqual(shown, p.conditional[i], where);
          assert.equal(E.visibleText(node, state).length, 1 + shown.length, where);
          assert.deepEqual(E.progress(scenario, state), p.progress[i], where);
        };
        check(0);
        p.choices.forEach((cid, i) => {
          state = E.choose(scenario, state, cid).state;
          check(i + 1);
        });
        assert.ok(state.ended);
        assert.equal(E.currentNode(scenario, state).ending.outcome, p.outcome);
        assert.equal(E.scaledScore(state.points, scenario.max_score), p.scaled);
        const states = { [scenario.id]: state };
        assert.equal(E.nextScenario(course, states, scenario.id)?.id ?? null, p.next);
        assert.equal(E.takeAgain(scenario, state, course.mastery_score), p.take_again, "take again");
        const snapshot = { lang: p.lang, current: scenario.id, seed: p.registration, scenarios: states };
        assert.equal(E.encode(course, snapshot), p.suspend);
        const back = E.decode(course, p.suspend);
        assert.equal(back.current, scenario.id);
        assert.equal(back.seed, p.registration);
        assert.equal(back.lang, p.lang);
        const again = back.scenarios[scenario.id];
        assert.equal(again.node, state.node);
        assert.deepEqual(again.vars, state.vars);
        assert.equal(again.points, state.points);
      }
    });
  }

  test(`${c.id}: ${c.runs.length} course runs give the same progress, score and pass`, () => {
    for (const run of c.runs) {
      const states = {};
      let current = null;
      run.steps.forEach(([sid, cid], i) => {
        const scenario = E.scenarioById(course, sid);
        current = sid;
        states[sid] = cid === null ? E.initialState(scenario) : E.choose(scenario, states[sid], cid).state;
        assert.equal(E.courseProgress(course, states), run.percents[i], `run step ${i}`);
        assert.equal(E.nextScenario(course, states, sid)?.id ?? null, run.next[i], `run step ${i}: next`);
        const snapshot = { lang: run.lang, current, seed: run.registration, scenarios: states };
        assert.equal(E.encode(course, snapshot), run.suspends[i]);
        // resume: decoding the data gives the same states and the same score so far
        const back = E.decode(course, run.suspends[i]);
        assert.equal(back.lang, run.lang);
        assert.equal(back.current, current);
        assert.equal(back.seed, run.registration);
        assert.deepEqual(Object.keys(back.scenarios).sort(), Object.keys(states).sort());
        for (const k of Object.keys(states)) {
          assert.equal(back.scenarios[k].node, states[k].node);
          assert.deepEqual(back.scenarios[k].vars, states[k].vars);
          assert.equal(back.scenarios[k].points, states[k].points);
        }
        assert.equal(E.courseProgress(course, back.scenarios), run.percents[i]);
      });
      const r = E.courseResult(course, states);
      assert.ok(r.ended);
      assert.equal(r.points, run.points);
      assert.equal(r.scaled, run.scaled);
      assert.equal(r.passed, run.passed);
      assert.equal(r.min, run.min);
      assert.equal(r.max, run.max);
      // the result page's advice, and taking one scenario again without losing the others
      const again = course.scenarios.filter((s) => E.takeAgain(s, states[s.id], course.mastery_score));
      assert.deepEqual(again.map((s) => s.id), run.take_again);
      const sid = run.retake.scenario;
      const after = { ...states, [sid]: E.initialState(E.scenarioById(course, sid)) };
      assert.equal(E.courseResult(course, after).ended, false);
      assert.equal(E.courseResult(course, after).points, run.retake.points);
      assert.equal(E.courseProgress(course, after), run.retake.percent);
      assert.equal(E.nextScenario(course, after, sid)?.id ?? null, run.retake.next);
      const snap = { lang: run.lang, current: sid, seed: run.registration, scenarios: after };
      assert.equal(E.encode(course, snap), run.retake.suspend);
      const back = E.decode(course, run.retake.suspend);
      assert.equal(back.current, sid);
      for (const k of Object.keys(after)) {
        assert.equal(back.scenarios[k].node, after[k].node, `resume after retake: ${k}`);
        assert.equal(back.scenarios[k].points, after[k].points, `resume after retake: ${k}`);
        assert.equal(back.scenarios[k].ended, after[k].ended, `resume after retake: ${k}`);
      }
    }
  });

  test(`${c.id}: longest suspend_data ${c.longest_suspend.length} chars fits SCORM 1.2 (4,096)`, () => {
    assert.ok(c.longest_suspend.length < 4096);
    assert.ok(c.longest_suspend.bound < 4096);
    assert.notEqual(E.decode(course, c.longest_suspend.suspend), null);
  });
}

test("conditions: Python semantics for ints, bools, and/or/not", () => {
  const env = { n: 2, z: 0, t: true, f: false };
  assert.equal(E.evaluate(null, env), true);
  assert.equal(E.evaluate({ var: "n" }, env), true);
  assert.equal(E.evaluate({ var: "z" }, env), false);
  assert.equal(E.evaluate({ not: { var: "f" } }, env), true);
  assert.equal(E.evaluate({ cmp: "==", var: "t", value: true }, env), true);
  assert.equal(E.evaluate({ cmp: "!=", var: "f", value: false }, env), false);
  assert.equal(E.evaluate({ cmp: ">=", var: "n", value: 2 }, env), true);
  assert.equal(E.evaluate({ cmp: "<", var: "n", value: 2 }, env), false);
  assert.equal(E.evaluate({ and: [{ var: "t" }, { var: "n" }, { not: { var: "z" } }] }, env), true);
  assert.equal(E.evaluate({ or: [{ var: "f" }, { cmp: ">", var: "z", value: 0 }] }, env), false);
  assert.throws(() => E.evaluate({ var: "missing" }, env));
});

test("rounding is Python's (ties to even on the exact binary value)", () => {
  assert.equal(E.pyRound(0.03125, 4), 0.0312);
  assert.equal(E.pyRound(0.09375, 4), 0.0938);
  assert.equal(E.pyRound(12.5, 0), 12);
  assert.equal(E.pyRound(13.5, 0), 14);
  assert.equal(E.pyRound(2 / 3, 4), 0.6667);
  assert.equal(E.scaledScore(1, 32), 0.0312);
  assert.equal(E.scaledScore(-3, 10), 0);
  assert.equal(E.scaledScore(5, 0), 0);
});

test("the choice-order hash is Python's FNV-1a over UTF-8, bit for bit", () => {
  assert.ok(vectors.hashes.length >= 4);
  for (const [text, value] of vectors.hashes) assert.equal(E.fnv1a32(text), value, JSON.stringify(text));
});

test("a node with order: fixed keeps the authored order; others follow the seed", () => {
  const choices = ["a", "b", "c", "d", "e"].map((id) => ({ id }));
  const fixed = E.choiceOrder("s", { id: "n", order: "fixed" }, choices, "seed-1").map((c) => c.id);
  assert.deepEqual(fixed, ["a", "b", "c", "d", "e"]);
  const orders = new Set(["seed-1", "seed-2", "seed-3", "seed-4"].map((seed) =>
    E.choiceOrder("s", { id: "n", order: "shuffle" }, choices, seed).map((c) => c.id).join("")));
  assert.ok(orders.size > 1, "different seeds, different orders");
  assert.deepEqual(choices.map((c) => c.id), ["a", "b", "c", "d", "e"], "the offered list is not changed");
});

test("decode refuses data that does not fit the course", () => {
  const course = vectors.courses[0]?.course;
  if (!course) return;
  const n = course.scenarios.length;
  assert.equal(E.decode(course, "garbage"), null);
  assert.equal(E.decode(course, "e2.nb." + ".".repeat(n + 2)), null); // one field too many
  assert.equal(E.decode(course, "e1.nb." + ".".repeat(n + 1)), null);
  assert.equal(E.decode(course, ["e2", "nb", "", "seed"].concat(course.scenarios.map(() => "_zzz")).join(".")), null);
  assert.equal(E.decode(course, ["e2", "nb", "", "bad seed"].concat(course.scenarios.map(() => "")).join(".")), null);
  assert.equal(E.decode(course, ["e2", "nb", "-1", "s"].concat(course.scenarios.map(() => "_")).join(".")), null);
  assert.equal(E.decode(course, ["e3", "nb", "", "s"].concat(course.scenarios.map(() => "")).join(".")), null);
});

test("a loop back to an earlier state is left out of the resume data (as in Python)", () => {
  const c = vectors.courses.find((x) => x.id === "loop-course");
  assert.ok(c, "tests/export/fixtures/loop-course is in the vectors");
  const course = c.course;
  const scenario = course.scenarios[0];
  let state = E.initialState(scenario);
  for (const id of ["ask", "back", "ask", "pick-39"]) state = E.choose(scenario, state, id).state;
  const text = E.encode(course, { lang: "en", current: "loop", seed: "k3y", scenarios: { loop: state } });
  assert.equal(text, "e2.en.0.k3y._0(14)");
  for (const data of [text, "e1.en.0._0(14)"]) { // data written before the seed field still resumes
    const snap = E.decode(course, data);
    assert.equal(snap.seed, data.startsWith("e2") ? "k3y" : null);
    assert.equal(snap.scenarios.loop.node, state.node);
    assert.equal(snap.scenarios.loop.points, state.points);
    assert.deepEqual(snap.scenarios.loop.vars, state.vars);
  }
});
