// Admin only. django-markdownx starts its live preview on the Markdown fields
// present when the page loads. A row added with "Add another" is a copy of a
// template row: it carries markdownx's "already started" mark but none of the
// listeners behind it. Clear the mark and run markdownx's script again, which
// starts every editor not started yet, so new steps get a preview too.
(function () {
  "use strict";
  document.addEventListener("formset:added", function (event) {
    var editors = event.target.querySelectorAll(".markdownx-editor[data-markdownx-init]");
    var loaded = document.querySelector('script[src*="markdownx/js/markdownx"]');
    if (!editors.length || !loaded) return;
    editors.forEach(function (editor) {
      editor.removeAttribute("data-markdownx-init");
    });
    var script = document.createElement("script");
    script.src = loaded.src;
    document.head.appendChild(script);
  });
})();
