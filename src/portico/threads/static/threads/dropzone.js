// Drag-and-drop onto a form with attachments. Without JavaScript the plain
// <input type="file" multiple> still works; this only adds a drop target and a file list.
(function () {
  "use strict";
  function describe(input, list) {
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      item.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
      list.appendChild(item);
    });
  }
  function enhance(form) {
    var input = form.querySelector("input[type=file][data-dropzone-input]");
    if (!input || input.dataset.enhanced) { return; }
    input.dataset.enhanced = "true";
    var zone = document.createElement("div");
    zone.className = "dropzone";
    var hint = document.createElement("p");
    hint.className = "dropzone__hint";
    hint.textContent = "Drop files here, or choose them:";
    var list = document.createElement("ul");
    list.className = "dropzone__files";
    list.setAttribute("aria-live", "polite");
    input.parentNode.insertBefore(zone, input);
    zone.appendChild(hint);
    zone.appendChild(input);
    zone.appendChild(list);
    input.addEventListener("change", function () { describe(input, list); });
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dropzone--active");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        if (name === "dragleave" && form.contains(event.relatedTarget)) { return; }
        zone.classList.remove("dropzone--active");
      });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
      var merged = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (file) { merged.items.add(file); });
      Array.prototype.forEach.call(event.dataTransfer.files, function (file) { merged.items.add(file); });
      input.files = merged.files;
      describe(input, list);
    });
  }
  function init() { document.querySelectorAll("form[data-dropzone]").forEach(enhance); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
