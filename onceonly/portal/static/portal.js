// Progressive enhancement only: every page works without this file.
// - The progress page ([data-progress]) fetches its live part (data-src) while work is under
//   way and replaces only the cells ([data-cell]) whose content changed, announcing new
//   states through the polite live region #announce. Focus and scroll stay where the reader
//   left them: a cell holding the focused element waits for a later round. Polling backs
//   off while nothing changes and stops once the event is finished.
// - A region marked data-poll (a checkpoint whose preview is being prepared) reloads itself.
// - An error summary takes focus, so screen readers and keyboards start at the problem.
(function () {
  "use strict";

  var MOST = 30000;  // ms between two looks while nothing changes

  function fetchPage(url) {
    return fetch(url || window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { return html === null ? null : new DOMParser().parseFromString(html, "text/html"); });
  }

  function cellsOf(root) {
    var found = {};
    root.querySelectorAll("[data-cell]").forEach(function (cell) {
      var row = cell.closest("[data-state]");
      found[(row ? row.id : "") + ":" + cell.getAttribute("data-cell")] = cell;
    });
    return found;
  }

  function holdsFocus(element) {
    return element.contains(document.activeElement) && document.activeElement !== document.body;
  }

  // Bring `region` up to date with `fresh`, cell by cell: how many cells changed, and what
  // changed state, in words.
  function patch(region, fresh) {
    var said = [];
    var changed = 0;
    var before = cellsOf(region);
    var after = cellsOf(fresh);
    Object.keys(before).forEach(function (key) {
      var cell = before[key];
      var now = after[key];
      if (!now) {  // gone from the page (the "updates itself" hint once finished)
        if (!holdsFocus(cell)) { cell.remove(); }
        return;
      }
      if (cell.innerHTML === now.innerHTML && cell.className === now.className) { return; }
      if (holdsFocus(cell)) { return; }
      cell.innerHTML = now.innerHTML;
      cell.className = now.className;
      if (now.hasAttribute("data-say")) { cell.setAttribute("data-say", now.getAttribute("data-say")); }
      changed += 1;
      var name = cell.getAttribute("data-cell");
      var row = cell.closest("[data-state]");
      var freshRow = now.closest("[data-state]");
      if (row && freshRow) {
        row.setAttribute("data-state", freshRow.getAttribute("data-state"));
        row.setAttribute("data-say", freshRow.getAttribute("data-say"));
        if (name === "state") { said.push(freshRow.getAttribute("data-say")); }
      }
      if (name === "status") { said.push(now.getAttribute("data-say")); }
    });
    return { changed: changed, said: said };
  }

  function watchProgress(region) {
    var first = parseInt(region.getAttribute("data-progress"), 10) || 2000;
    var every = first;
    var announce = document.getElementById("announce");
    var source = region.getAttribute("data-src");  // the live part alone, not the whole page
    function look() {
      fetchPage(source).then(function (page) {
        var fresh = page && page.getElementById("progress");
        if (!fresh) { every = Math.min(MOST, every * 2); window.setTimeout(look, every); return; }
        var result = patch(region, fresh);
        if (result.said.length && announce) { announce.textContent = result.said.join(". "); }
        every = result.changed ? first : Math.min(MOST, Math.round(every * 1.5));
        if (fresh.hasAttribute("data-progress")) {
          window.setTimeout(look, every);
        } else {
          region.removeAttribute("data-progress");
        }
      }).catch(function () { every = Math.min(MOST, every * 2); window.setTimeout(look, every); });
    }
    window.setTimeout(look, every);
  }

  function reloadRegion(region) {
    var every = parseInt(region.getAttribute("data-poll"), 10) || 2000;
    window.setTimeout(function refresh() {
      fetchPage().then(function (page) {
        var fresh = page && page.getElementById("live");
        if (!fresh) { return; }
        region.innerHTML = fresh.innerHTML;
        if (fresh.hasAttribute("data-poll")) {
          window.setTimeout(refresh, every);
        } else {
          region.removeAttribute("data-poll");
        }
      }).catch(function () { window.setTimeout(refresh, every * 2); });
    }, every);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var progress = document.querySelector("[data-progress]");
    if (progress) { watchProgress(progress); }
    var region = document.querySelector("[data-poll]");
    if (region) { reloadRegion(region); }
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  });
})();
