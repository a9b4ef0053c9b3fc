// The rights grid without a round trip: choosing a role fills the rights, and the site list
// shows only when chosen sites apply. Without JavaScript, "Apply role" does the same on the server.
(function () {
  "use strict";
  function applyRole(select) {
    var data = document.getElementById("role-templates");
    if (!data) { return; }
    var rights = JSON.parse(data.textContent)[select.value];
    if (!rights) { return; }
    Object.keys(rights).forEach(function (fn) {
      var radio = select.form.querySelector('input[type="radio"][name="' + fn + '"][value="' + rights[fn] + '"]');
      if (radio && !radio.disabled) { radio.checked = true; }
    });
  }
  function showSites(form) {
    var list = form.querySelector("[data-sites-list]");
    var all = form.querySelector('input[data-site-scope][value="1"]');
    if (list && all) { list.hidden = all.checked; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-role-apply]").forEach(function (button) {
      var select = button.form.querySelector('select[name="role"]');
      if (!select) { return; }
      button.hidden = true;
      select.addEventListener("change", function () { applyRole(select); });
    });
    document.querySelectorAll("input[data-site-scope]").forEach(function (radio) {
      radio.addEventListener("change", function () { showSites(radio.form); });
      showSites(radio.form);
    });
  });
})();
