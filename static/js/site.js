// Progressive enhancement only: every page reads fully without this file.
// 1. Copy buttons beside addresses, domains, ranges and snippets.
// 2. The client picker: one mail program's steps at a time, remembered.
// 3. "Link to this section" controls copy the section's address.
// 4. "Print these steps" prints the chosen mail program's steps.
// 5. An anchor inside closed <details> (#it) opens them.
(function () {
  "use strict";

  function addCopyButtons() {
    if (!navigator.clipboard) return;
    document.querySelectorAll("[data-copy]").forEach(function (el) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button secondary";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy " + (el.getAttribute("data-copy-label") || el.getAttribute("data-copy")));
      var status = document.createElement("span");
      status.className = "copy-status";
      status.setAttribute("role", "status");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(el.getAttribute("data-copy")).then(function () {
          status.textContent = "Copied";
          setTimeout(function () { status.textContent = ""; }, 2000);
        }, function () {
          status.textContent = "Select the text and copy it";
        });
      });
      el.insertAdjacentElement("afterend", status);
      el.insertAdjacentElement("afterend", button);
    });
  }

  var STORAGE_KEY = "safelist.client";

  function remember(slug) {
    try { localStorage.setItem(STORAGE_KEY, slug); } catch (e) { /* private mode */ }
  }
  function recalled() {
    try { return localStorage.getItem(STORAGE_KEY); } catch (e) { return null; }
  }

  function setUpPicker(area) {
    // The picker above the article and the "Not your mail program?" line in each section.
    var links = Array.prototype.slice.call(document.querySelectorAll("[data-client-link]"));
    var sections = Array.prototype.slice.call(area.querySelectorAll(".client-section"));
    if (links.length < 2) return;
    area.classList.add("js-picker");

    function show(slug, focus) {
      var found = sections.some(function (s) { return s.id === slug; });
      if (!found) slug = sections[0].id;
      sections.forEach(function (s) { s.hidden = s.id !== slug; });
      links.forEach(function (a) {
        var current = a.getAttribute("data-client-link") === slug;
        a.setAttribute("aria-current", current ? "true" : "false");
      });
      if (focus) {
        var heading = document.getElementById(slug + "-heading");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      }
      return slug;
    }

    links.forEach(function (a) {
      a.addEventListener("click", function (event) {
        event.preventDefault();
        var slug = a.getAttribute("data-client-link");
        show(slug, true);
        remember(slug);
        history.replaceState(null, "", "#" + slug);
      });
    });

    window.addEventListener("hashchange", function () {
      var slug = location.hash.slice(1);
      if (sections.some(function (s) { return s.id === slug; })) show(slug, false);
    });

    var fromHash = location.hash.slice(1);
    var inArea = sections.some(function (s) { return s.id === fromHash; });
    if (fromHash && !inArea && document.getElementById(fromHash)) {
      // The reader was linked to another part of the page: keep the picker but show the remembered client.
      show(recalled() || sections[0].id, false);
      return;
    }
    var shown = show(inArea ? fromHash : (recalled() || sections[0].id), false);
    if (inArea) {
      var target = document.getElementById(shown);
      if (target) target.scrollIntoView();
    }
  }

  function linkStatus() {
    var status = document.getElementById("link-status");
    if (!status) {
      status = document.createElement("p");
      status.id = "link-status";
      status.className = "link-status";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    return status;
  }

  function addLinkCopying() {
    if (!navigator.clipboard) return;
    document.querySelectorAll("[data-copy-link]").forEach(function (a) {
      a.addEventListener("click", function () {
        // The link still goes to its section; its full address goes to the clipboard too.
        var url = location.href.split("#")[0] + a.getAttribute("href");
        var status = linkStatus();
        navigator.clipboard.writeText(url).then(function () {
          status.textContent = "Link copied: " + url;
          setTimeout(function () { status.textContent = ""; }, 4000);
        }, function () {
          status.textContent = "Copy the link from the address bar";
        });
      });
    });
  }

  function setUpPrinting() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        document.body.classList.add("print-steps");
        window.print();
      });
    });
    window.addEventListener("afterprint", function () { document.body.classList.remove("print-steps"); });
  }

  function openDetailsForHash() {
    var id = location.hash.slice(1);
    var target = id && document.getElementById(id);
    if (!target) return;
    var inside = target.querySelector("details");
    if (id === "it" && inside) inside.open = true;
    for (var el = target.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    if (target.tagName === "DETAILS") target.open = true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    addCopyButtons();
    addLinkCopying();
    setUpPrinting();
    openDetailsForHash();
    window.addEventListener("hashchange", openDetailsForHash);
    document.querySelectorAll(".client-picker-area").forEach(setUpPicker);
  });
})();
