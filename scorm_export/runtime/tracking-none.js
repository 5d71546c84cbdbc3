/* Offline HTML bundle: no LMS, nothing is sent anywhere. Progress is kept in this browser's
 * localStorage (when the browser allows it for file:// pages) so a facilitator can pause. */
(function () {
  "use strict";
  var KEY = "elearn:" + window.ELEARN_PACKAGE.course.id + ":" + window.ELEARN_PACKAGE.contentHash.slice(0, 12);
  function store() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  window.ElearnTracking = {
    name: "none",
    start: function () {
      var s = store(), resume = null;
      try { resume = s ? s.getItem(KEY) : null; } catch (e) { resume = null; }
      return { resume: resume };
    },
    entered: function () {},
    answered: function () {},
    completed: function () {},
    save: function (data) {
      var s = store();
      try { if (s) s.setItem(KEY, data.suspend); } catch (e) { /* private mode: play on without saving */ }
    },
    finish: function (kind, data) { this.save(data); },
  };
})();
