// Search, enhanced. Without this file every search form still submits to /search/.
// 1. Suggestions as the reader types: the ARIA 1.2 combobox pattern (a text
//    box that controls a listbox), arrow keys to move, Enter to open, Escape
//    to close, and a status message for screen readers. Suggestions come in
//    labelled groups (vendors, mail programs, sections, articles, headings),
//    the typed letters in <mark>; all of it written as text, never as HTML.
// 2. On the results page, which result was opened (an anonymous count).
(function () {
  "use strict";

  var script = document.currentScript;
  var suggestUrl = script && script.getAttribute("data-suggest-url");
  var instances = 0;

  function setUpSuggestions(input) {
    var id = "search-suggestions-" + (++instances);
    var list = document.createElement("div");
    list.id = id;
    list.className = "search-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    var wrapper = document.createElement("div");
    wrapper.className = "search-combobox";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    wrapper.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);

    var options = [];
    var active = -1;
    var timer = null;
    var pending = null;

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function activate(index) {
      options.forEach(function (option, i) { option.el.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
      } else {
        input.setAttribute("aria-activedescendant", options[index].el.id);
        options[index].el.scrollIntoView({ block: "nearest" });
      }
    }

    function title(suggestion) {
      var span = document.createElement("span");
      span.className = "suggestion-title";
      (suggestion.parts && suggestion.parts.length ? suggestion.parts : [{ text: suggestion.title, mark: false }])
        .forEach(function (part) {
          var piece = document.createElement(part.mark ? "mark" : "span");
          piece.textContent = part.text;
          span.appendChild(piece);
        });
      return span;
    }

    function groupFor(suggestion, groups) {
      var last = groups[groups.length - 1];
      if (last && last.name === suggestion.group) return last;
      var el = document.createElement("div");
      el.setAttribute("role", "group");
      var label = document.createElement("div");
      label.id = id + "-group-" + groups.length;
      label.className = "suggestion-group";
      label.setAttribute("role", "presentation");
      label.textContent = suggestion.group;
      el.setAttribute("aria-labelledby", label.id);
      el.appendChild(label);
      list.appendChild(el);
      groups.push({ name: suggestion.group, el: el });
      return groups[groups.length - 1];
    }

    function show(suggestions) {
      list.textContent = "";
      var groups = [];
      options = suggestions.map(function (suggestion, i) {
        var el = document.createElement("div");
        el.id = id + "-" + i;
        el.className = "suggestion";
        el.setAttribute("role", "option");
        el.setAttribute("aria-selected", "false");
        var meta = document.createElement("span");
        meta.className = "meta";
        meta.textContent = suggestion.meta;
        el.appendChild(title(suggestion));
        el.appendChild(meta);
        // mousedown, not click: it comes before the input loses focus and closes the list.
        el.addEventListener("mousedown", function (event) {
          event.preventDefault();
          window.location.href = suggestion.url;
        });
        groupFor(suggestion, groups).el.appendChild(el);
        return { el: el, url: suggestion.url };
      });
      active = -1;
      if (options.length) {
        open();
        status.textContent = options.length + (options.length === 1 ? " suggestion" : " suggestions") +
          ". Use the up and down arrow keys to choose one, or press Enter to search.";
      } else {
        close();
        status.textContent = "";
      }
    }

    function fetchSuggestions() {
      var value = input.value.trim();
      if (value.length < 2) { show([]); return; }
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(suggestUrl + "?q=" + encodeURIComponent(value), {
        signal: pending.signal,
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) { if (input.value.trim() === value) show(data.suggestions || []); })
        .catch(function () { /* aborted or offline: the form still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) { if (options.length) open(); return; }
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        var next = active + step;
        if (next >= options.length) next = -1;
        if (next < -1) next = options.length - 1;
        activate(next);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        window.location.href = options[active].url;
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", close);
  }

  function setUpClickCounting(section) {
    var url = section.getAttribute("data-click-url");
    var token = section.getAttribute("data-click-token");
    if (!navigator.sendBeacon) return;
    section.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-article]");
      if (!link) return;
      var data = new FormData();
      data.append("token", token);
      data.append("article", link.getAttribute("data-article"));
      data.append("position", link.getAttribute("data-position"));
      navigator.sendBeacon(url, data);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (suggestUrl && window.fetch && window.AbortController) {
      document.querySelectorAll("form[role=search] input[type=search][name=q]").forEach(setUpSuggestions);
    }
    document.querySelectorAll("[data-click-token]").forEach(setUpClickCounting);
  });
})();
