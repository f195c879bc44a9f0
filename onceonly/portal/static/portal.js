// Progressive enhancement only: every page works without this file.
// - A region marked data-poll refreshes itself from the server while work is under way.
// - An error summary takes focus, so screen readers and keyboards start at the problem.
(function () {
  "use strict";

  function poll(region) {
    var every = parseInt(region.getAttribute("data-poll"), 10) || 2000;
    var timer = window.setTimeout(function refresh() {
      fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
          if (!fresh) { return; }
          region.innerHTML = fresh.innerHTML;
          if (fresh.hasAttribute("data-poll")) {
            timer = window.setTimeout(refresh, every);
          } else {
            region.removeAttribute("data-poll");
          }
        })
        .catch(function () { timer = window.setTimeout(refresh, every * 2); });
    }, every);
    return timer;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var region = document.querySelector("[data-poll]");
    if (region) { poll(region); }
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  });
})();
