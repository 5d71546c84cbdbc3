/* elearn package player: the course page, the scenario pages and the result, as on the platform,
 * without a server. Plays window.ELEARN_PACKAGE.course with ElearnEngine and reports through
 * window.ElearnTracking (one adapter per package format). Keyboard and screen-reader friendly:
 * real buttons, focus moves to the feedback after a choice and to the heading on a new page,
 * changes are announced in a live region, every text carries its lang. ES2017, no dependencies. */
(function () {
  "use strict";
  var P = window.ELEARN_PACKAGE, E = window.ElearnEngine, T = window.ElearnTracking;
  var course = P.course;
  // Designsystemet's light and dark colours follow the learner's system setting.
  document.body.setAttribute("data-color-scheme", "auto");

  // Interface texts: gettext messages (English msgids) from the platform's catalogues, which the
  // package builder writes into course.js for the course's languages (scorm_export/messages.py).
  var MESSAGES = P.messages || {};
  // The plural rules the builder lets through (scorm_export.messages.PLURAL_RULES), by the
  // catalogue's Plural-Forms expression; nb, nn and en all have two forms.
  var PLURALS = { "(n != 1)": function (n) { return n !== 1 ? 1 : 0; } };
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
    // "Run with a group" (offline HTML only): one screen for a room without network; the leader
    // clicks the choice the room agrees on, the group's questions show with each decision.
    group: T.name === "none" && /(^|[#&])group(&|$)/.test((window.location && window.location.hash) || ""),
  };

  function uiLang() { return MESSAGES[app.lang] ? app.lang : Object.keys(MESSAGES).sort()[0] || app.lang; }
  function clang() { return course.languages.indexOf(app.lang) >= 0 ? app.lang : course.languages[0]; }
  // Python's "%(name)s" formatting, as Flask-Babel does on the platform ("%%" is a "%").
  function format(text, args) {
    if (!args) return text;
    return text.replace(/%(?:\(([a-z_]+)\)[sd]|%)/g, function (all, name) { return name ? String(args[name]) : "%"; });
  }
  function N_(msgid) { return msgid; } // marks a message for extraction; translated where shown
  var OUTCOMES = { good: N_("A good outcome"), mixed: N_("A mixed outcome"), poor: N_("A poor outcome") };
  // Choice labels, as on the platform (docs/player.md): words and an icon, never colour alone.
  var CHOICE_LABELS = { good: N_("A good choice"), partly: N_("A partly good choice"), risky: N_("A risky choice") };
  var QUIZ_LABELS = { good: N_("Correct"), partly: N_("Partly correct"), risky: N_("Not correct") };
  var ENDING_KINDS = { good: "good", mixed: "partly", poor: "risky" };
  var ICONS = {
    good: '<circle cx="10" cy="10" r="9"/><path d="M5.5 10.5l3 3 6-7" fill="none" stroke-width="2.2"/>',
    partly: '<circle cx="10" cy="10" r="9"/><path d="M10 1a9 9 0 0 1 0 18z" class="fill"/>',
    risky: '<path d="M10 1.5l8.8 16H1.2z"/><path d="M10 7v5M10 14.2v1.6" fill="none" stroke-width="2.2"/>',
  };
  function _(msgid, args) {
    var found = (MESSAGES[uiLang()] || { messages: {} }).messages[msgid];
    return format(typeof found === "string" ? found : msgid, args);
  }
  function ngettext(singular, plural, num, args) {
    var lang = MESSAGES[uiLang()] || { messages: {} }, forms = lang.messages[singular];
    var text = Array.isArray(forms) ? forms[PLURALS[lang.plural](num)] : num === 1 ? singular : plural;
    return format(text, Object.assign({ num: num }, args));
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
    app.lastNode = fromNode;
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

  // ---- running with a group (offline HTML) -------------------------------------------------------
  function setGroup(on) {
    app.group = on;
    document.body.setAttribute("class", on ? "group-mode" : "");
    render("#group-toggle");
    announce(on ? _("Group mode is on: click the choice the room agrees on.") : _("Group mode is off."));
  }

  function groupToggle() {
    if (T.name !== "none") return null;
    return h("section", { "class": "group-toggle", "aria-labelledby": "group-title" },
      h("h2", { id: "group-title" }, _("Run with a group")),
      h("p", {}, _("For a room without network: show the course on one screen, talk about each decision and click the choice the room agrees on. No one votes; the questions for the group are shown with each decision.")),
      button(app.group ? _("Stop running with a group") : _("Run with a group on this screen"),
        function () { setGroup(!app.group); }, "button button-secondary",
        { id: "group-toggle", "aria-pressed": app.group ? "true" : "false" }));
  }

  function groupNotes(scenario, node) {
    if (!app.group) return null;
    var f = scenario.facilitator || {};
    var questions = f.questions || [];
    var reflection = node && node.reflection;
    if (!questions.length && !reflection && !f.watch_for) return null;
    return h("aside", { "class": "group-notes", "aria-labelledby": "group-notes-title" },
      h("h2", { id: "group-notes-title" }, _("Questions for the group")),
      reflection ? h("p", { lang: clang() }, loc(reflection)) : null,
      questions.length ? h("ul", { lang: clang() }, questions.map(function (q) { return h("li", {}, loc(q)); })) : null,
      f.watch_for ? h("h3", {}, _("Notes for the leader")) : null,
      f.watch_for ? content("div", {}, f.watch_for) : null);
  }

  // ---- pages ------------------------------------------------------------------------------------
  function header() {
    var row = document.getElementById("header");
    row.textContent = "";
    append(row, h("p", { "class": "site-name", lang: clang() }, loc(course.title)));
    if (course.languages.length > 1) {
      append(row, h("nav", { "aria-label": _("Language"), "class": "lang-switch" },
        h("ul", { "class": "nav-list" }, course.languages.map(function (code) {
          return h("li", {}, button(LANGUAGE_NAMES[code] || code, function () { setLang(code); }, "lang-button",
            { lang: code, "aria-pressed": code === app.lang ? "true" : "false" }));
        }))));
    }
    var skip = document.querySelector(".skip-link");
    skip.textContent = _("Skip to content");
    var footer = document.getElementById("footer");
    footer.textContent = "";
    append(footer, h("p", {}, _("Is someone in immediate danger? Call the police on 112.")));
  }

  // `folded` on the result page, as the platform's: the services under one <details>, so the
  // advice and the buttons are not followed by a page of phone numbers.
  function helpList(folded) {
    var list = h("ul", { "class": "help-list", lang: clang() }, (course.help || []).map(function (item) {
        return h("li", {},
          h("h3", {}, loc(item.name)),
          h("p", {}, loc(item.description)),
          item.phone ? h("p", {}, _("Phone") + ": ", h("a", { href: "tel:" + item.phone.replace(/\s/g, "") }, item.phone)) : null,
          item.url ? h("p", {}, h("a", { href: item.url, target: "_blank", rel: "noopener" }, item.url)) : null);
      }));
    return h("section", { "class": "help", "aria-labelledby": "help-title" },
      h("h2", { id: "help-title" }, _("Where to get help")),
      h("p", {}, h("strong", {}, _("Is someone in immediate danger? Call the police on 112."))),
      folded ? h("details", { "class": "help-more" }, h("summary", {}, _("Services that help, with phone numbers")), list) : list);
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
      course.content_notice ? h("section", { "class": "notice", "aria-labelledby": "notice-title" },
        h("h2", { id: "notice-title" }, _("Before you start")), content("div", {}, course.content_notice)) : null,
      // Start or continue first, as on the platform's course page; the introduction folded below.
      h("div", { "class": "start-panel" },
        r.ended ? h("p", { "class": "status" }, (r.passed ? _("Passed") : _("Not passed")) + " – ",
          button(_("See the course result"), function () { app.view = "result"; render("h1"); }, "button button-secondary")) : null,
        !started ? h("p", {}, button(_("Start the course"), function () { enter(course.scenarios[0].id); })) : null,
        started && !r.ended ? h("p", {}, button(_("Continue"), function () { enter(resumeAt()); })) : null),
      h("dl", { "class": "meta" },
        h("div", {}, h("dt", {}, _("Duration")), h("dd", {}, ngettext("%(num)s minute", "%(num)s minutes", course.estimated_minutes))),
        h("div", {}, h("dt", {}, _("Languages")), h("dd", {}, course.languages.map(function (l, i) {
          return [h("span", { lang: l }, LANGUAGE_NAMES[l] || l), i < course.languages.length - 1 ? ", " : ""];
        })))),
      course.introduction ? h("details", { "class": "introduction" },
        h("summary", {}, h("h2", { id: "intro-title" }, _("About the topic"))), content("div", {}, course.introduction)) : null);
    var done = course.scenarios.filter(function (s) { return app.scenarios[s.id] && app.scenarios[s.id].ended; }).length;
    append(main, h("section", { "aria-labelledby": "scenarios-title", id: "scenarios" },
      h("h2", { id: "scenarios-title" }, _("Scenarios")),
      started ? h("p", {}, ngettext("%(done)s of %(num)s scenario finished", "%(done)s of %(num)s scenarios finished", course.scenarios.length, { done: done })) : null,
      h("ol", { "class": "scenario-list" }, course.scenarios.map(function (s) {
        var st = app.scenarios[s.id];
        return h("li", {},
          h("h3", { lang: clang() }, loc(s.title)),
          s.summary ? h("p", { lang: clang() }, loc(s.summary)) : null,
          started ? h("p", { "class": "status" }, st && st.ended ? _("Finished") : st ? _("In progress") : _("Not started")) : null,
          started ? button([st && st.ended ? _("See the review") : st ? _("Continue") : _("Start"),
            h("span", { "class": "visually-hidden", lang: clang() }, " – " + loc(s.title))],
          function () { enter(s.id); }, "button button-secondary") : null);
      }))));
    append(main, groupToggle(), actions(), helpList());
  }

  // Where "Continue" goes: the scenario being played, else the first one not finished.
  function resumeAt() {
    var open = course.scenarios.filter(function (s) { return !(app.scenarios[s.id] && app.scenarios[s.id].ended); });
    if (app.current && app.scenarios[app.current] && !app.scenarios[app.current].ended) return app.current;
    return (open[0] || course.scenarios[0]).id;
  }

  // `where` is "play" on a scenario page: starting the whole course again (which wipes the
  // progress kept in this browser) is offered on the course and result pages only, never next
  // to the choices, where it is one slip of the finger away.
  function actions(where) {
    var r = result();
    var list = [];
    if (T.name === "none") {
      if (Object.keys(app.scenarios).length && where !== "play") {
        list.push(button(_("Start the course again"), function () {
          app.scenarios = {}; app.current = null; app.last = null; app.reported = false; app.view = "course"; app.seed = newSeed();
          save(); render("h1");
        }, "button button-secondary"));
      }
    } else if (!app.finished) {
      list.push(button(r.ended ? _("Exit the course") : _("Take a break (save and leave)"), function () {
        finish(r.ended ? "normal" : "suspend", true);
        app.view = "closed";
        render("h1");
      }, "button button-secondary", { id: "take-a-break" }));
    }
    return list.length ? h("div", { "class": "actions" }, list) : null;
  }

  // The same rule as elearn.core.rules.choice_outcome (docs/player.md).
  function choiceOutcome(node, choice) {
    var points = node.choices.map(function (c) { return c.points; });
    var best = Math.max.apply(null, points), worst = Math.min.apply(null, points), mine = choice.points;
    if (choice.correct === true) return mine >= best ? "good" : "partly";
    if (choice.correct === false) return mine <= worst ? "risky" : "partly";
    if (best === worst) return null;
    return mine === best ? "good" : mine === worst ? "risky" : "partly";
  }
  function icon(kind) {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "outcome-icon"); svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false"); svg.setAttribute("viewBox", "0 0 20 20");
    svg.innerHTML = ICONS[kind]; // fixed markup from this file, never course text
    return svg;
  }
  function badge(kind, words, tag, id) {
    return h(tag || "p", { "class": "outcome-label outcome-" + kind, id: id }, icon(kind), h("span", {}, words));
  }
  function choiceBadge(outcome, quiz, tag, id) {
    return outcome ? badge(outcome, _((quiz ? QUIZ_LABELS : CHOICE_LABELS)[outcome]), tag, id) : null;
  }

  function playPage(main) {
    var scenario = E.scenarioById(course, app.current);
    var state = app.scenarios[scenario.id];
    var node = E.currentNode(scenario, state);
    var prog = E.progress(scenario, state);
    var pct = percent();
    var quiz = scenario.kind === "quiz";
    var stepName = state.ended ? (quiz ? _("Your answers") : _("End of the scenario"))
      : quiz ? _("Question %(num)s of %(total)s", { num: prog[0] + 1, total: prog[1] })
      : _("Decision %(num)s", { num: prog[0] + 1 });
    app.title = (app.last && !state.ended ? _("Feedback") + ", " : "") + stepName + " – " + loc(scenario.title) + " – " + loc(course.title);
    append(main,
      h("nav", { "aria-label": _("Back to the course"), "class": "breadcrumb" },
        h("a", { href: "#", lang: clang(), onclick: function (ev) { ev.preventDefault(); app.view = "course"; save(); render("h1"); } }, loc(course.title))),
      h("h1", { lang: clang(), tabindex: "-1" }, loc(scenario.title)),
      messages(),
      h("div", { "class": "progress-block" },
        h("label", { "for": "progress" }, _("Course progress")),
        h("progress", { id: "progress", max: "100", value: String(pct) }, pct + " %"),
        h("span", {}, _("%(pct)s%% of the course", { pct: pct })),
        h("p", { "class": "hint" }, _("Scenario %(num)s of %(total)s", { num: course.scenarios.indexOf(scenario) + 1, total: course.scenarios.length }) + (state.ended ? "" : " · " + stepName))));
    if (app.last && app.lastNode) {
      var outcome = choiceOutcome(app.lastNode, app.last);
      append(main, h("section", { id: "feedback", "class": "feedback feedback-" + (outcome || "neutral"), tabindex: "-1", "aria-labelledby": "feedback-title" },
        h("p", { "class": "you-chose" }, _("You chose") + ": ", h("span", { lang: clang() }, loc(app.last.text))),
        outcome ? choiceBadge(outcome, quiz, "h2", "feedback-title") : h("h2", { id: "feedback-title" }, _("What happened")),
        content("div", {}, app.last.feedback),
        app.lastNode.explanation ? content("div", { "class": "explanation" }, app.lastNode.explanation) : null));
    }
    var texts = E.visibleText(node, state);
    if (state.ended) {
      var ending = node.ending;
      var next = E.nextScenario(course, app.scenarios, scenario.id);
      var r = result();
      // The next step at the top (right after the outcome) and again after the path, as on
      // the platform's endings.
      var nextStep = function (where) {
        return h("div", { "class": "next-step next-step-" + where },
          r.ended ? button(_("See the course result"), function () { app.view = "result"; save(); render("h1"); })
            : next ? button([_("Next scenario") + ": ", h("span", { lang: clang() }, loc(next.title))], function () { enter(next.id); }) : null,
          h("a", { "class": "back-link", href: "#", onclick: function (ev) { ev.preventDefault(); app.view = "course"; save(); render("h1"); } }, _("Back to the course")));
      };
      append(main, h("section", { "class": "ending ending-" + ending.outcome, "aria-labelledby": "ending-title" },
        h("h2", { id: "ending-title" }, quiz ? _("Your answers") : h("span", { lang: clang() }, loc(ending.title))),
        quiz ? h("p", { "class": "answer-summary" }, ngettext("You answered %(good)s of %(num)s question correctly.", "You answered %(good)s of %(num)s questions correctly.", state.path.length, {
          good: state.path.filter(function (st) { var n = scenario.nodes[st[0]]; return choiceOutcome(n, n.choices.filter(function (c) { return c.id === st[1]; })[0]) === "good"; }).length })) : null,
        quiz ? h("h3", { lang: clang() }, loc(ending.title)) : badge(ENDING_KINDS[ending.outcome], _(OUTCOMES[ending.outcome])),
        h("div", { lang: clang() }, texts.map(function (x) { return paragraphs(loc(x)); })),
        h("p", {}, _("Score") + ": " + _("%(points)s of %(max)s possible", { points: state.points, max: scenario.max_score })),
        nextStep("top"),
        h("h3", {}, quiz ? _("Your answers, one by one") : _("Your choices and what they meant")),
        h("ol", { "class": "path" }, state.path.map(function (step) {
          var n = scenario.nodes[step[0]];
          var ch = n.choices.filter(function (c) { return c.id === step[1]; })[0];
          return h("li", {},
            h("p", { "class": "path-choice" }, h("span", { lang: clang() }, loc(ch.text)),
              " ", h("span", { "class": "points" }, "(" + ngettext("%(num)s point", "%(num)s points", ch.points) + ")")),
            choiceBadge(choiceOutcome(n, ch), quiz),
            h("details", {}, h("summary", {}, _("Why")), content("div", {}, ch.feedback),
              n.explanation ? content("div", { "class": "explanation" }, n.explanation) : null));
        })),
        nextStep("bottom")));
      append(main, groupNotes(scenario, null), actions("play"), helpList());
      return;
    }
    var section = h("section", { "class": "situation", "aria-labelledby": "situation-title" },
      h("h2", { id: "situation-title", "class": "step-title" }, stepName));
    if (quiz) section.className += " question";
    if (node.image) {
      append(section, h("figure", { "class": "node-image" },
        h("img", { src: P.media + "/" + node.image.src, alt: loc(node.image.alt), lang: clang() })));
    }
    append(section, h("div", { lang: clang(), "class": "situation-text" }, texts.map(function (x) { return paragraphs(loc(x)); })));
    if (node.reflection && !app.group) { // in group mode it is among the group's questions
      append(section, h("aside", { "class": "reflection", "aria-labelledby": "reflection-title" },
        h("h3", { id: "reflection-title" }, _("Think about it")), h("p", { lang: clang() }, loc(node.reflection))));
    }
    append(main, section, groupNotes(scenario, node));
    if (!app.finished) {
      append(main, h("fieldset", { "class": "choices" },
        h("legend", {}, h("h2", {}, app.group ? _("Which choice does the room follow?")
          : quiz ? _("Choose an answer") : _("What do you do now?"))),
        h("ul", { "class": "choice-list" }, E.choiceOrder(scenario.id, node, E.offeredChoices(scenario, state), app.seed).map(function (c) {
          return h("li", {}, button(loc(c.text), function () { choose(scenario, c.id); }, "choice",
            { lang: clang(), "data-choice": c.id }));
        }))));
    }
    append(main, actions("play"));
  }

  // The result page, as the platform's: passed or not, then which scenarios to take again
  // (rules.take_again, ported as E.takeAgain) with a button for each that starts just that one
  // over; the other scenarios keep their states, so their progress and points stay.
  function resultPage(main) {
    var r = result();
    var kind = r.passed ? "good" : "risky";
    var rows = course.scenarios.map(function (s) {
      var st = app.scenarios[s.id];
      return { scenario: s, state: st, again: E.takeAgain(s, st, app.mastery),
        ending: st && st.ended ? E.currentNode(s, st).ending : null };
    });
    var advised = rows.filter(function (row) { return row.again; });
    append(main,
      h("h1", { tabindex: "-1" }, _("Course result") + ": ", h("span", { lang: clang() }, loc(course.title))),
      messages(),
      h("div", { "class": "result-box result-" + (r.passed ? "passed" : "failed") },
        h("p", { "class": "result-verdict" }, icon(kind), h("strong", {}, r.passed ? _("Passed") : _("Not passed"))),
        h("p", {}, _("You have finished every scenario.") + " " +
          _("You scored %(pct)s%%.", { pct: E.pyRound(r.scaled * 100, 0) }) + " " +
          _("You need %(pct)s%% to pass.", { pct: E.pyRound(app.mastery * 100, 0) }) + " " +
          _("Score") + ": " + _("%(points)s of %(max)s possible", { points: r.points, max: r.max }))),
      h("section", { "aria-labelledby": "again-title" },
        h("h2", { id: "again-title" }, _("What to take again")),
        h("p", {}, advised.length
          ? ngettext("This scenario did not end well or gave few points. Taking it again starts just this scenario from the beginning; the other scenarios keep their results.",
            "These scenarios did not end well or gave few points. Taking one again starts just that scenario from the beginning; the other scenarios keep their results.", advised.length)
          : _("Every scenario ended well. You can still take any of them again to try other choices.")),
        h("ul", { "class": "result-list" }, rows.map(function (row) {
          var s = row.scenario, title = loc(s.title);
          return h("li", { "class": "card" + (row.again ? " card-again" : "") },
            h("h3", { lang: clang() }, title),
            row.ending ? badge(ENDING_KINDS[row.ending.outcome], _(OUTCOMES[row.ending.outcome])) : null,
            h("p", {}, _("%(points)s of %(max)s possible", { points: row.state ? row.state.points : 0, max: s.max_score }) + " · ",
              h("a", { href: "#", onclick: function (ev) { ev.preventDefault(); enter(s.id); } }, _("See your choices"),
                h("span", { "class": "visually-hidden", lang: clang() }, " – " + title))),
            row.again && !app.finished ? h("p", {}, button([_("Take this scenario again"),
              h("span", { "class": "visually-hidden", lang: clang() }, " – " + title)],
            function () { retake(s.id); }, "button button-secondary", { "data-retake": s.id })) : null);
        }))),
      actions(), helpList(true));
  }

  /** Starts one scenario over from the result page. Only its state is reset: the others keep
   * theirs, so the resume data (one part per scenario) and the course's progress and points
   * stay right. The course is reported again when it is finished again; the adapters decide
   * what the LMS may be told a second time (docs/export.md). */
  function retake(scenarioId) {
    if (app.finished) return;
    var scenario = E.scenarioById(course, scenarioId);
    app.scenarios[scenarioId] = E.initialState(scenario);
    app.current = scenarioId;
    app.last = null;
    app.reported = false;
    app.view = "play";
    if (T.retake) T.retake({ scenario: scenario, percent: percent(), lang: clang() });
    T.entered({ scenario: scenario, node: E.currentNode(scenario, app.scenarios[scenarioId]), percent: percent(), lang: clang() });
    save();
    render("h1");
    announce(_("You are taking this scenario again. Your other scenarios keep their results."));
  }

  function closedPage(main) {
    append(main, h("h1", { tabindex: "-1", lang: clang() }, loc(course.title)),
      h("p", { role: "status" }, result().ended ? _("The course is closed. You can close this window.") : _("Your progress is saved. You can continue where you left off the next time you open the course.")));
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
    // The play page names its step (set by playPage), so a screen reader hears the change.
    document.title = app.view === "play" && app.title ? app.title : title ? title.textContent : loc(course.title);
    app.title = null;
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
      app.notice = { text: _("You continue where you left off.") };
    } else if (info.lang && course.languages.indexOf(info.lang) >= 0) {
      app.lang = info.lang;
    }
    var reg = /^[0-9A-Za-z_-]+$/.test(info.registration || "") ? info.registration : null;
    app.seed = reg || (snap && snap.seed) || newSeed();
    if (info.error) app.notice = { text: _("The learning platform was not found. Your progress is not saved."), error: true };
    else if (info.review) app.notice = { text: _("Review: your choices are not saved.") };
    document.documentElement.setAttribute("lang", uiLang());
    if (app.group) document.body.setAttribute("class", "group-mode");
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
