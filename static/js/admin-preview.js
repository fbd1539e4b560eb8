// Admin only. django-markdownx posts each editor's text to the URL in its
// data-markdownx-urls-path attribute, read again before every request, so the
// live preview follows the form's vendor menu by carrying the chosen vendor in
// that URL's query string (?vendor=<id>): the server then renders with that
// vendor's real facts, as its public pages will. With no vendor chosen the
// server shows an article as readers of an article for every vendor see it,
// and generic steps with example facts, and says which (?for=<form>).
(function () {
  "use strict";
  var URL_ATTRIBUTE = "data-markdownx-urls-path";

  function vendorMenu() {
    return document.querySelector("form select[name='vendor']");
  }

  // "article" or "steplist": the change form's id is "<model>_form".
  function formKind(menu) {
    return menu.form && menu.form.id ? menu.form.id.replace(/_form$/, "") : "";
  }

  function previewUrl(editor, menu) {
    var base = editor.getAttribute(URL_ATTRIBUTE).split("?")[0];
    return base + "?vendor=" + encodeURIComponent(menu.value) + "&for=" + encodeURIComponent(formKind(menu));
  }

  function point(editors, menu) {
    Array.prototype.forEach.call(editors, function (editor) {
      if (editor.hasAttribute(URL_ATTRIBUTE)) editor.setAttribute(URL_ATTRIBUTE, previewUrl(editor, menu));
    });
  }

  function start() {
    var menu = vendorMenu();
    if (!menu) return;
    point(document.querySelectorAll(".markdownx-editor"), menu);
    menu.addEventListener("change", function () {
      var editors = document.querySelectorAll(".markdownx-editor[data-markdownx-init]");
      point(editors, menu);
      // markdownx previews again on "input", after its usual short pause.
      Array.prototype.forEach.call(editors, function (editor) {
        editor.dispatchEvent(new Event("input"));
      });
    });
    // A row added with "Add another" copies the template row's plain URL;
    // point it before admin-markdown-inlines.js starts its editor.
    document.addEventListener("formset:added", function (event) {
      point(event.target.querySelectorAll(".markdownx-editor"), menu);
    });
  }

  if (document.readyState === "loading") {
    // Capturing, so this runs before markdownx's own DOMContentLoaded
    // listener sends the first preview request without the vendor.
    document.addEventListener("DOMContentLoaded", start, true);
  } else {
    start();
  }
})();
