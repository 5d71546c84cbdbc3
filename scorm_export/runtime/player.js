/* elearn package player: the course page, the scenario pages and the result, as on the platform,
 * without a server. Plays window.ELEARN_PACKAGE.course with ElearnEngine and reports through
 * window.ElearnTracking (one adapter per package format). Keyboard and screen-reader friendly:
 * real buttons, focus moves to the feedback after a choice and to the heading on a new page,
 * changes are announced in a live region, every text carries its lang. ES2017, no dependencies. */
(function () {
  "use strict";
  var P = window.ELEARN_PACKAGE, E = window.ElearnEngine, T = window.ElearnTracking;
  var course = P.course;

  // Interface texts: the platform's wording (elearn/i18n.py) where it has the key.
  var TEXTS = {
    skip_to_content: { nb: "Hopp til innholdet", nn: "Hopp til innhaldet", en: "Skip to content" },
    language: { nb: "Språk", nn: "Språk", en: "Language" },
    duration: { nb: "Varighet", nn: "Lengd", en: "Duration" },
    minutes: { nb: "{n} minutter", nn: "{n} minutt", en: "{n} minutes" },
    languages: { nb: "Språk", nn: "Språk", en: "Languages" },
    content_notice: { nb: "Før du begynner", nn: "Før du byrjar", en: "Before you start" },
    introduction: { nb: "Om temaet", nn: "Om temaet", en: "About the topic" },
    scenarios: { nb: "Scenarioer", nn: "Scenario", en: "Scenarios" },
    start_course: { nb: "Start kurset", nn: "Start kurset", en: "Start the course" },
    continue: { nb: "Fortsett", nn: "Hald fram", en: "Continue" },
    start: { nb: "Start", nn: "Start", en: "Start" },
    play_again: { nb: "Se gjennomgangen", nn: "Sjå gjennomgangen", en: "See the review" },
    not_started: { nb: "Ikke startet", nn: "Ikkje starta", en: "Not started" },
    in_progress: { nb: "Påbegynt", nn: "Påbyrja", en: "In progress" },
    finished: { nb: "Fullført", nn: "Fullført", en: "Finished" },
    passed: { nb: "Bestått", nn: "Bestått", en: "Passed" },
    failed: { nb: "Ikke bestått", nn: "Ikkje bestått", en: "Not passed" },
    progress: { nb: "Framdrift", nn: "Framdrift", en: "Progress" },
    progress_value: { nb: "{done} av {total} scenarioer fullført", nn: "{done} av {total} scenario fullførte", en: "{done} of {total} scenarios finished" },
    take_a_break: { nb: "Ta en pause (lagre og gå ut)", nn: "Ta ein pause (lagre og gå ut)", en: "Take a break (save and leave)" },
    paused: { nb: "Framdriften er lagret. Du kan fortsette der du slapp neste gang du åpner kurset.", nn: "Framdrifta er lagra. Du kan halde fram der du slapp neste gong du opnar kurset.", en: "Your progress is saved. You can continue where you left off the next time you open the course." },
    your_choice: { nb: "Du valgte", nn: "Du valde", en: "You chose" },
    why: { nb: "Hvorfor", nn: "Kvifor", en: "Why" },
    what_next: { nb: "Hva gjør du nå?", nn: "Kva gjer du no?", en: "What do you do now?" },
    reflect: { nb: "Tenk over", nn: "Tenk over", en: "Think about it" },
    step_of: { nb: "Valg {done} av minst {total}", nn: "Val {done} av minst {total}", en: "Decision {done} of at least {total}" },
    ending: { nb: "Slutt på scenarioet", nn: "Slutt på scenarioet", en: "End of the scenario" },
    "outcome.good": { nb: "Godt utfall", nn: "Godt utfall", en: "A good outcome" },
    "outcome.mixed": { nb: "Blandet utfall", nn: "Blanda utfall", en: "A mixed outcome" },
    "outcome.poor": { nb: "Dårlig utfall", nn: "Dårleg utfall", en: "A poor outcome" },
    score: { nb: "Poeng", nn: "Poeng", en: "Score" },
    score_value: { nb: "{points} av {max} mulige", nn: "{points} av {max} moglege", en: "{points} of {max} possible" },
    your_choices: { nb: "Valgene dine og hva de betydde", nn: "Vala dine og kva dei betydde", en: "Your choices and what they meant" },
    points_n: { nb: "{n} poeng", nn: "{n} poeng", en: "{n} points" },
    back_to_course: { nb: "Tilbake til kurset", nn: "Tilbake til kurset", en: "Back to the course" },
    help_title: { nb: "Her får du hjelp", nn: "Her får du hjelp", en: "Where to get help" },
    help_acute: { nb: "Er noen i akutt fare? Ring politiet på 112.", nn: "Er nokon i akutt fare? Ring politiet på 112.", en: "Is someone in immediate danger? Call the police on 112." },
    phone: { nb: "Telefon", nn: "Telefon", en: "Phone" },
    course_result: { nb: "Resultat for kurset", nn: "Resultat for kurset", en: "Course result" },
    mastery: { nb: "Du trenger {pct} % for å bestå.", nn: "Du treng {pct} % for å bestå.", en: "You need {pct}% to pass." },
    your_score: { nb: "Du fikk {pct} %.", nn: "Du fekk {pct} %.", en: "You scored {pct}%." },
    all_done: { nb: "Du har fullført alle scenarioene.", nn: "Du har fullført alle scenarioa.", en: "You have finished every scenario." },
    next_scenario: { nb: "Neste scenario", nn: "Neste scenario", en: "Next scenario" },
    see_result: { nb: "Se resultatet for kurset", nn: "Sjå resultatet for kurset", en: "See the course result" },
    restart: { nb: "Start kurset på nytt", nn: "Start kurset på nytt", en: "Start the course again" },
    saved: { nb: "Lagret.", nn: "Lagra.", en: "Saved." },
    resumed: { nb: "Du fortsetter der du slapp.", nn: "Du held fram der du slapp.", en: "You continue where you left off." },
    no_lms: { nb: "Fant ikke læringsplattformen. Framdriften blir ikke lagret.", nn: "Fann ikkje læringsplattforma. Framdrifta blir ikkje lagra.", en: "The learning platform was not found. Your progress is not saved." },
    review_mode: { nb: "Gjennomsyn: valgene dine blir ikke lagret.", nn: "Gjennomsyn: vala dine blir ikkje lagra.", en: "Review: your choices are not saved." },
    exit: { nb: "Avslutt kurset", nn: "Avslutt kurset", en: "Exit the course" },
    closed: { nb: "Kurset er avsluttet. Du kan lukke vinduet.", nn: "Kurset er avslutta. Du kan lukke vindauget.", en: "The course is closed. You can close this window." },
    image: { nb: "Bilde", nn: "Bilete", en: "Image" },
  };
  var LANGUAGE_NAMES = { nb: "Bokmål", nn: "Nynorsk", en: "English" };

  var app = {
    lang: P.lang,
    view: "course", // course | play | result | closed
    current: null,
    scenarios: {},
    last: null, // the choice just made, for the feedback
    reported: false, // the course end has been reported
    finished: false,
    mastery: course.mastery_score,
    notice: null,
    seed: null, // the attempt's choice order: its registration, or kept in the resume data
  };

  function uiLang() { return TEXTS.start[app.lang] ? app.lang : "nb"; }
  function clang() { return course.languages.indexOf(app.lang) >= 0 ? app.lang : course.languages[0]; }
  function t(key, args) {
    var entry = TEXTS[key] || {};
    var text = entry[uiLang()] || entry.nb || key;
    Object.keys(args || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(args[k])); });
    return text;
  }
  function loc(map) { return map ? (map[clang()] || map[course.languages[0]] || "") : ""; }

  // ---- tiny DOM helper ----------------------------------------------------------------------
  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") el.textContent = v;
      else if (k === "onclick") el.addEventListener("click", v);
      else el.setAttribute(k, v === true ? "" : v);
    });
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function append(el) {
    for (var i = 1; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      if (Array.isArray(child)) child.forEach(function (c) { append(el, c); });
      else el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
  }
  function paragraphs(text) {
    return String(text || "").split("\n\n").filter(function (p) { return p.trim(); })
      .map(function (p) { return h("p", { text: p.trim() }); });
  }
  function content(tag, attrs, map) {
    attrs = attrs || {};
    attrs.lang = clang();
    return h(tag, attrs, paragraphs(loc(map)));
  }
  function button(label, onclick, cls, attrs) {
    var a = attrs || {};
    a.type = "button";
    a["class"] = cls || "button";
    a.onclick = onclick;
    return h("button", a, label);
  }

  function announce(text) {
    var status = document.getElementById("status");
    status.textContent = "";
    setTimeout(function () { status.textContent = text; }, 50);
  }

  // ---- state, saving and reporting -------------------------------------------------------------
  function snapshot() { return { lang: app.lang, current: app.current, seed: app.seed, scenarios: app.scenarios }; }
  function newSeed() {
    var b = new Uint8Array(8);
    (window.crypto || window.msCrypto).getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x % 36).toString(36); }).join("");
  }
  function result() { return E.courseResult(course, app.scenarios, app.mastery); }
  function percent() { return E.courseProgress(course, app.scenarios); }
  function lessonLocation() {
    if (!app.current) return "";
    return app.current + "/" + app.scenarios[app.current].node;
  }

  function save() {
    if (app.finished) return;
    T.save({ suspend: E.encode(course, snapshot()), location: lessonLocation(), percent: percent(), result: result() });
  }

  function reportEnd() {
    var r = result();
    if (!r.ended || app.reported) return;
    app.reported = true;
    T.completed(r);
  }

  /** Ends the session once: on unload, or `explicit`ly with the break/exit button. */
  function finish(kind, explicit) {
    if (app.finished) return;
    app.finished = true;
    T.finish(kind || (result().ended ? "normal" : "suspend"),
      { suspend: E.encode(course, snapshot()), location: lessonLocation(), percent: percent(), result: result() },
      Boolean(explicit));
  }

  function enter(scenarioId) {
    var scenario = E.scenarioById(course, scenarioId);
    app.current = scenarioId;
    app.last = null;
    if (!app.scenarios[scenarioId]) {
      app.scenarios[scenarioId] = E.initialState(scenario);
      T.entered({ scenario: scenario, node: E.currentNode(scenario, app.scenarios[scenarioId]), percent: percent(), lang: clang() });
    }
    app.view = "play";
    save();
    render("h1");
  }

  function choose(scenario, choiceId) {
    if (app.finished) return;
    var before = app.scenarios[scenario.id];
    var step;
    try {
      step = E.choose(scenario, before, choiceId);
    } catch (e) {
      render("h1"); // a stale page (double click): show where the learner is
      return;
    }
    app.scenarios[scenario.id] = step.state;
    app.last = step.choice;
    var fromNode = scenario.nodes[step.fromNode];
    T.answered({
      scenario: scenario,
      node: fromNode,
      choice: step.choice,
      choiceIndex: fromNode.choices.indexOf(step.choice),
      toNode: scenario.nodes[step.toNode],
      state: step.state,
      percent: percent(),
      lang: clang(),
      scaled: E.scaledScore(step.state.points, scenario.max_score),
    });
    reportEnd();
    save();
    render("#feedback");
  }

  function setLang(lang) {
    app.lang = lang;
    document.documentElement.setAttribute("lang", uiLang());
    save();
    render(null);
    var pressed = document.querySelector('.lang-button[aria-pressed="true"]');
    if (pressed) pressed.focus();
  }

  // ---- pages ------------------------------------------------------------------------------------
  function header() {
    var row = document.getElementById("header");
    row.textContent = "";
    append(row, h("p", { "class": "site-name", lang: clang() }, loc(course.title)));
    if (course.languages.length > 1) {
      append(row, h("nav", { "aria-label": t("language"), "class": "lang-switch" },
        h("ul", { "class": "nav-list" }, course.languages.map(function (code) {
          return h("li", {}, button(LANGUAGE_NAMES[code] || code, function () { setLang(code); }, "lang-button",
            { lang: code, "aria-pressed": code === app.lang ? "true" : "false" }));
        }))));
    }
    var skip = document.querySelector(".skip-link");
    skip.textContent = t("skip_to_content");
    var footer = document.getElementById("footer");
    footer.textContent = "";
    append(footer, h("p", {}, t("help_acute")));
  }

  function helpList() {
    return h("section", { "class": "help", "aria-labelledby": "help-title" },
      h("h2", { id: "help-title" }, t("help_title")),
      h("p", {}, h("strong", {}, t("help_acute"))),
      h("ul", { "class": "help-list", lang: clang() }, (course.help || []).map(function (item) {
        return h("li", {},
          h("h3", {}, loc(item.name)),
          h("p", {}, loc(item.description)),
          item.phone ? h("p", {}, t("phone") + ": ", h("a", { href: "tel:" + item.phone.replace(/\s/g, "") }, item.phone)) : null,
          item.url ? h("p", {}, h("a", { href: item.url, target: "_blank", rel: "noopener" }, item.url)) : null);
      })));
  }

  function messages() {
    if (!app.notice) return null;
    return h("p", { "class": "message" + (app.notice.error ? " message-error" : ""), role: app.notice.error ? "alert" : "status" }, app.notice.text);
  }

  function coursePage(main) {
    var started = Object.keys(app.scenarios).length > 0;
    var r = result();
    append(main,
      h("div", { lang: clang() }, h("h1", { tabindex: "-1" }, loc(course.title)), h("p", { "class": "lead" }, loc(course.description))),
      messages(),
      h("dl", { "class": "meta" },
        h("div", {}, h("dt", {}, t("duration")), h("dd", {}, t("minutes", { n: course.estimated_minutes }))),
        h("div", {}, h("dt", {}, t("languages")), h("dd", {}, course.languages.map(function (l, i) {
          return [h("span", { lang: l }, LANGUAGE_NAMES[l] || l), i < course.languages.length - 1 ? ", " : ""];
        })))),
      course.content_notice ? h("section", { "class": "notice", "aria-labelledby": "notice-title" },
        h("h2", { id: "notice-title" }, t("content_notice")), content("div", {}, course.content_notice)) : null,
      course.introduction ? h("section", { "class": "introduction", "aria-labelledby": "intro-title" },
        h("h2", { id: "intro-title" }, t("introduction")), content("div", {}, course.introduction)) : null,
      r.ended ? h("p", { "class": "status" }, (r.passed ? t("passed") : t("failed")) + " – ",
        button(t("see_result"), function () { app.view = "result"; render("h1"); }, "button button-secondary")) : null,
      !started ? h("p", {}, button(t("start_course"), function () { enter(course.scenarios[0].id); })) : null);
    var done = course.scenarios.filter(function (s) { return app.scenarios[s.id] && app.scenarios[s.id].ended; }).length;
    append(main, h("section", { "aria-labelledby": "scenarios-title", id: "scenarios" },
      h("h2", { id: "scenarios-title" }, t("scenarios")),
      started ? h("p", {}, t("progress_value", { done: done, total: course.scenarios.length })) : null,
      h("ol", { "class": "scenario-list" }, course.scenarios.map(function (s) {
        var st = app.scenarios[s.id];
        return h("li", {},
          h("h3", { lang: clang() }, loc(s.title)),
          s.summary ? h("p", { lang: clang() }, loc(s.summary)) : null,
          started ? h("p", { "class": "status" }, st && st.ended ? t("finished") : st ? t("in_progress") : t("not_started")) : null,
          started ? button([st && st.ended ? t("play_again") : st ? t("continue") : t("start"),
            h("span", { "class": "visually-hidden", lang: clang() }, " – " + loc(s.title))],
          function () { enter(s.id); }, "button button-secondary") : null);
      }))));
    append(main, actions(), helpList());
  }

  function actions() {
    var r = result();
    var list = [];
    if (T.name === "none") {
      if (Object.keys(app.scenarios).length) {
        list.push(button(t("restart"), function () {
          app.scenarios = {}; app.current = null; app.last = null; app.reported = false; app.view = "course"; app.seed = newSeed();
          save(); render("h1");
        }, "button button-secondary"));
      }
    } else if (!app.finished) {
      list.push(button(r.ended ? t("exit") : t("take_a_break"), function () {
        finish(r.ended ? "normal" : "suspend", true);
        app.view = "closed";
        render("h1");
      }, "button button-secondary", { id: "take-a-break" }));
    }
    return list.length ? h("div", { "class": "actions" }, list) : null;
  }

  function playPage(main) {
    var scenario = E.scenarioById(course, app.current);
    var state = app.scenarios[scenario.id];
    var node = E.currentNode(scenario, state);
    var prog = E.progress(scenario, state);
    var pct = percent();
    append(main,
      h("nav", { "aria-label": t("back_to_course"), "class": "breadcrumb" },
        h("a", { href: "#", lang: clang(), onclick: function (ev) { ev.preventDefault(); app.view = "course"; save(); render("h1"); } }, loc(course.title))),
      h("h1", { lang: clang(), tabindex: "-1" }, loc(scenario.title)),
      messages(),
      h("div", { "class": "progress-block" },
        h("label", { "for": "progress" }, t("progress")),
        h("progress", { id: "progress", max: "100", value: String(pct) }, pct + " %"),
        h("span", {}, pct + " %"),
        state.ended ? null : h("p", { "class": "hint" }, t("step_of", { done: prog[0] + 1, total: prog[1] }))));
    if (app.last) {
      append(main, h("section", { id: "feedback", "class": "feedback", tabindex: "-1", "aria-labelledby": "feedback-title" },
        h("h2", { id: "feedback-title" }, t("your_choice") + ": ", h("span", { lang: clang() }, loc(app.last.text))),
        h("h3", {}, t("why")),
        content("div", {}, app.last.feedback)));
    }
    var texts = E.visibleText(node, state);
    if (state.ended) {
      var ending = node.ending;
      var next = E.nextScenario(course, app.scenarios, scenario.id);
      var r = result();
      append(main, h("section", { "class": "ending ending-" + ending.outcome, "aria-labelledby": "ending-title" },
        h("h2", { id: "ending-title" }, t("ending") + ": ", h("span", { lang: clang() }, loc(ending.title))),
        h("p", { "class": "outcome" }, h("strong", {}, t("outcome." + ending.outcome))),
        h("div", { lang: clang() }, texts.map(function (x) { return paragraphs(loc(x)); })),
        h("p", {}, t("score") + ": " + t("score_value", { points: state.points, max: scenario.max_score })),
        h("h3", {}, t("your_choices")),
        h("ol", { "class": "history" }, state.path.map(function (step) {
          var ch = scenario.nodes[step[0]].choices.filter(function (c) { return c.id === step[1]; })[0];
          return h("li", {},
            h("p", {}, h("strong", { lang: clang() }, loc(ch.text)), ch.points ? " (" + t("points_n", { n: ch.points }) + ")" : null),
            content("div", {}, ch.feedback));
        })),
        r.ended ? h("p", {}, button(t("see_result"), function () { app.view = "result"; save(); render("h1"); }))
          : next ? h("p", {}, button([t("next_scenario") + ": ", h("span", { lang: clang() }, loc(next.title))], function () { enter(next.id); })) : null,
        h("p", {}, h("a", { href: "#", onclick: function (ev) { ev.preventDefault(); app.view = "course"; save(); render("h1"); } }, t("back_to_course")))));
      append(main, actions(), helpList());
      return;
    }
    var section = h("section", { "class": "situation", "aria-labelledby": "situation-title" },
      h("h2", { id: "situation-title", "class": "visually-hidden", lang: clang() }, loc(scenario.title)));
    if (node.image) {
      append(section, h("figure", { "class": "node-image" },
        h("img", { src: P.media + "/" + node.image.src, alt: loc(node.image.alt), lang: clang() })));
    }
    append(section, h("div", { lang: clang() }, texts.map(function (x) { return paragraphs(loc(x)); })));
    if (node.reflection) {
      append(section, h("aside", { "class": "reflection", "aria-labelledby": "reflection-title" },
        h("h3", { id: "reflection-title" }, t("reflect")), h("p", { lang: clang() }, loc(node.reflection))));
    }
    append(main, section);
    if (!app.finished) {
      append(main, h("fieldset", { "class": "choices" },
        h("legend", {}, h("h2", {}, t("what_next"))),
        h("ul", { "class": "choice-list" }, E.choiceOrder(scenario.id, node, E.offeredChoices(scenario, state), app.seed).map(function (c) {
          return h("li", {}, button(loc(c.text), function () { choose(scenario, c.id); }, "choice",
            { lang: clang(), "data-choice": c.id }));
        }))));
    }
    append(main, actions());
  }

  function resultPage(main) {
    var r = result();
    append(main,
      h("h1", { tabindex: "-1" }, t("course_result") + ": ", h("span", { lang: clang() }, loc(course.title))),
      h("p", { "class": "result result-" + (r.passed ? "passed" : "failed") }, h("strong", {}, r.passed ? t("passed") : t("failed"))),
      h("p", {}, t("all_done")),
      h("p", {}, t("your_score", { pct: E.pyRound(r.scaled * 100, 0) }) + " " + t("mastery", { pct: E.pyRound(app.mastery * 100, 0) })),
      h("p", {}, t("score") + ": " + t("score_value", { points: r.points, max: r.max })),
      h("ul", {}, course.scenarios.map(function (s) {
        var st = app.scenarios[s.id];
        return h("li", {}, h("a", { href: "#", lang: clang(), onclick: function (ev) { ev.preventDefault(); enter(s.id); } }, loc(s.title)),
          ": " + t("score_value", { points: st ? st.points : 0, max: s.max_score }));
      })),
      actions(), helpList());
  }

  function closedPage(main) {
    append(main, h("h1", { tabindex: "-1", lang: clang() }, loc(course.title)),
      h("p", { role: "status" }, result().ended ? t("closed") : t("paused")));
  }

  function render(focus) {
    header();
    var main = document.getElementById("main");
    main.textContent = "";
    if (app.view === "play" && app.current) playPage(main);
    else if (app.view === "result" && result().ended) resultPage(main);
    else if (app.view === "closed") closedPage(main);
    else coursePage(main);
    app.notice = null;
    var title = document.querySelector("h1");
    document.title = title ? title.textContent : loc(course.title);
    if (focus) {
      var el = document.querySelector(focus) || document.querySelector("h1");
      if (el) el.focus();
    }
  }

  // ---- start ------------------------------------------------------------------------------------
  function started(info) {
    info = info || {};
    if (typeof info.mastery === "number" && info.mastery > 0 && info.mastery <= 1) app.mastery = info.mastery;
    var snap = info.resume ? E.decode(course, info.resume) : null;
    if (snap) {
      app.scenarios = snap.scenarios;
      app.current = snap.current;
      if (snap.lang && course.languages.indexOf(snap.lang) >= 0) app.lang = snap.lang;
      app.view = app.current ? "play" : "course";
      app.reported = result().ended; // reported in the session that ended it
      app.notice = { text: t("resumed") };
    } else if (info.lang && course.languages.indexOf(info.lang) >= 0) {
      app.lang = info.lang;
    }
    var reg = /^[0-9A-Za-z_-]+$/.test(info.registration || "") ? info.registration : null;
    app.seed = reg || (snap && snap.seed) || newSeed();
    if (info.error) app.notice = { text: t("no_lms"), error: true };
    else if (info.review) app.notice = { text: t("review_mode") };
    document.documentElement.setAttribute("lang", uiLang());
    render(snap ? "h1" : null);
    if (app.notice) announce(app.notice.text);
  }

  var onLeave = function () { finish(null, false); };
  window.addEventListener("pagehide", onLeave);
  window.addEventListener("beforeunload", onLeave);
  window.ElearnPlayer = { app: app, finish: finish, snapshot: snapshot };
  Promise.resolve(T.start({ course: course, pkg: P, engine: E })).then(started, function () {
    started({ error: true });
  });
})();
