// The offline HTML package's "run with a group" mode: player.js with the offline tracker on a
// small stand-in DOM (enough of it for player.js), playing the test course from the vectors.
// The leader turns the mode on, sees the group's questions with each decision and clicks the
// choice the room agrees on; no voting, nothing sent anywhere.
// Run: node --test scorm_export/runtime/tests/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import vm from "node:vm";

const here = path.dirname(fileURLToPath(import.meta.url));
const runtime = (name) => readFileSync(path.join(here, "..", name), "utf8");
const vectorsPath = process.env.ELEARN_VECTORS || path.join(here, "..", "..", "..", "build", "vectors.json");

// -- a stand-in DOM: elements, text, ids, simple selectors, clicks and focus --------------------
class Text {
  constructor(text) { this.text = String(text); this.children = []; }
  get textContent() { return this.text; }
}
class Element {
  constructor(tag, doc) { this.tagName = tag.toUpperCase(); this.doc = doc; this.attrs = {}; this.children = []; this.handlers = {}; }
  setAttribute(k, v) { this.attrs[k] = String(v); }
  getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; }
  hasAttribute(k) { return k in this.attrs; }
  get id() { return this.attrs.id || ""; }
  get className() { return this.attrs.class || ""; }
  set className(v) { this.attrs.class = v; }
  appendChild(child) { this.children.push(child); return child; }
  set textContent(v) { this.children = v ? [new Text(v)] : []; }
  get textContent() { return this.children.map((c) => c.textContent).join(""); }
  set innerHTML(_v) { this.children = []; } // only fixed icon markup is set this way
  addEventListener(type, fn) { (this.handlers[type] ||= []).push(fn); }
  click() { (this.handlers.click || []).forEach((fn) => fn({ preventDefault() {} })); }
  focus() { this.doc.activeElement = this; }
  *walk() { for (const c of this.children) if (c instanceof Element) { yield c; yield* c.walk(); } }
  matches(selector) {
    const m = /^([a-z0-9]*)(?:#([\w-]+))?(?:\.([\w-]+))?(?:\[([\w-]+)="([^"]*)"\])?$/.exec(selector);
    if (!m) return false;
    const [, tag, id, cls, attr, value] = m;
    return (!tag || this.tagName === tag.toUpperCase()) && (!id || this.id === id)
      && (!cls || this.className.split(/\s+/).includes(cls)) && (!attr || this.attrs[attr] === value);
  }
}
function makeDocument() {
  const doc = { title: "", activeElement: null };
  const make = (tag, attrs = {}) => Object.assign(new Element(tag, doc), { attrs: { ...attrs } });
  doc.documentElement = make("html");
  doc.body = make("body");
  for (const [tag, id, cls] of [["a", "", "skip-link"], ["div", "header", ""], ["main", "main", ""], ["div", "status", ""], ["div", "footer", ""]]) {
    doc.body.appendChild(make(tag, { ...(id && { id }), ...(cls && { class: cls }) }));
  }
  doc.createElement = (tag) => make(tag);
  doc.createElementNS = (_ns, tag) => make(tag);
  doc.createTextNode = (text) => new Text(text);
  doc.querySelectorAll = (selector) => [...doc.body.walk()].filter((el) => el.matches(selector));
  doc.querySelector = (selector) => doc.querySelectorAll(selector)[0] || null;
  doc.getElementById = (id) => doc.querySelector(`#${id}`);
  return doc;
}

async function openPackage(course, hash = "") {
  const document = makeDocument();
  // The context is the page's global object, as `window` is in a browser.
  const window = vm.createContext({
    document,
    location: { hash },
    crypto: { getRandomValues: (b) => b.fill(7) },
    addEventListener() {},
    setTimeout,
    ELEARN_PACKAGE: { course, lang: "en", messages: {}, media: "media", contentHash: "0123456789abcdef" },
  });
  window.window = window;
  const context = window;
  for (const name of ["engine.js", "tracking-none.js", "player.js"]) vm.runInContext(runtime(name), context);
  await new Promise((resolve) => setTimeout(resolve, 0)); // T.start resolves on the next tick
  const main = () => document.getElementById("main");
  const button = (text) => document.querySelectorAll("button").find((b) => b.textContent.includes(text));
  return { document, main, button, app: window.ElearnPlayer.app };
}

const vectors = existsSync(vectorsPath) ? JSON.parse(readFileSync(vectorsPath, "utf8")) : { courses: [] };
const playCourse = (vectors.courses.find((c) => c.id === "play-course") || {}).course;

test("the test course is in the vectors (make js-test generates them)", () => {
  assert.ok(playCourse, `no play-course in ${vectorsPath}`);
});

test("a leader runs a scenario with a group on one screen, clicking the room's choices", async () => {
  const { document, main, button, app } = await openPackage(playCourse);
  assert.equal(app.group, false);
  const toggle = document.getElementById("group-toggle");
  assert.equal(toggle.getAttribute("aria-pressed"), "false");
  toggle.click();
  assert.equal(document.body.getAttribute("class"), "group-mode");
  assert.equal(document.getElementById("group-toggle").getAttribute("aria-pressed"), "true");
  assert.equal(document.activeElement.id, "group-toggle"); // focus stays on the toggle

  button("Start the course").click();
  let text = main().textContent;
  assert.match(text, /A pupil asks to talk\./);
  assert.match(text, /Questions for the group/);
  assert.match(text, /What does the pupil need\?/); // the decision's own question
  assert.match(text, /What do we do here\?/); // the scenario's questions for discussion
  assert.match(text, /No real cases\./); // what the leader watches for
  assert.match(text, /Which choice does the room follow\?/);
  assert.equal(document.querySelectorAll("input").length, 0); // no voting: the leader clicks

  document.querySelector('button[data-choice="listen"]').click();
  text = main().textContent;
  assert.match(text, /Good: she is heard\./);
  assert.match(text, /You talk\./);
  assert.match(text, /Questions for the group/);
  document.querySelector('button[data-choice="consult"]').click();
  text = main().textContent;
  assert.match(text, /Help in time/);
  assert.match(text, /What do we do here\?/); // the questions again, for the talk at the end
});

test("a link with #group opens the package in group mode; without it nothing changes", async () => {
  const linked = await openPackage(playCourse, "#group");
  assert.equal(linked.app.group, true);
  assert.equal(linked.document.body.getAttribute("class"), "group-mode");
  const plain = await openPackage(playCourse);
  plain.button("Start the course").click();
  const text = plain.main().textContent;
  assert.doesNotMatch(text, /Questions for the group/);
  assert.match(text, /What do you do now\?/);
  assert.match(text, /Think about it/); // the learner's own reflection, as before
});
