// Small progressive enhancements; every action works without them.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-dismiss]");
    if (close) { close.closest(".message").remove(); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // Disable submit buttons after the first click so a double click submits once.
    window.setTimeout(function () {
      form.querySelectorAll("[data-disable-on-submit]").forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
        button.disabled = true;
      });
    }, 0);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
  });
  // A list filtered in place (core.live) announces its new count: the count itself was
  // replaced with the results, and a region that is replaced is not read out.
  document.addEventListener("htmx:afterSettle", function (event) {
    var status = event.detail.target.querySelector("[data-live-status]");
    var region = document.getElementById("live-status");
    if (status && region) { region.textContent = status.textContent.replace(/\s+/g, " ").trim(); }
  });
  // A part of the page replaced in place (a timeline's poll, core.live) keeps open what the
  // reader opened in it: an open <details> with an id is open again after the swap.
  var keptOpen = [];
  document.addEventListener("htmx:beforeSwap", function (event) {
    keptOpen = [];
    if (!event.detail.shouldSwap) { return; }
    event.detail.target.querySelectorAll("details[id][open]").forEach(function (details) {
      keptOpen.push(details.id);
    });
  });
  document.addEventListener("htmx:afterSwap", function () {
    keptOpen.forEach(function (id) {
      var details = document.getElementById(id);
      if (details && details.tagName === "DETAILS") { details.open = true; }
    });
    keptOpen = [];
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details.menu[open]").forEach(function (menu) { menu.removeAttribute("open"); });
    }
  });
})();
