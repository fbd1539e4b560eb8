// Admin only. Client sections and steps are ordered by their position
// numbers, which work without JavaScript. This adds to each row a drag
// handle and "Move up" / "Move down" buttons (the keyboard's way, and the
// way for anyone who cannot drag); moving a row rewrites the position
// numbers to 10, 20, 30… in the new order, so the save keeps what is seen.
// A blank extra row stays blank, so the save still ignores it.
(function () {
  "use strict";
  var STEP = 10;

  function positionInput(row) {
    return row.querySelector("td.field-position input");
  }

  function orderedRows(tbody) {
    return Array.prototype.filter.call(tbody.children, function (row) {
      return row.matches("tr.form-row:not(.empty-form)") && positionInput(row);
    });
  }

  // A row is in use if it is stored or something in it has been filled in.
  function inUse(row) {
    var id = row.querySelector("td.original input[type='hidden'][name$='-id']");
    if (id && id.value) return true;
    var fields = row.querySelectorAll("select, textarea, input:not([type='hidden']):not([type='checkbox'])");
    return Array.prototype.some.call(fields, function (field) {
      return field !== positionInput(row) && field.value.trim() !== "";
    });
  }

  function renumber(tbody) {
    var number = 0;
    orderedRows(tbody).forEach(function (row) {
      if (!inUse(row)) return;
      number += STEP;
      positionInput(row).value = String(number);
    });
  }

  function announce(tbody, text) {
    var status = tbody.closest(".inline-group").querySelector(".order-status");
    if (status) status.textContent = text;
  }

  function placeOf(tbody, row) {
    var rows = orderedRows(tbody).filter(inUse);
    return "now " + (rows.indexOf(row) + 1) + " of " + rows.length;
  }

  // A row moves with the error messages Django shows in the row above it.
  function moveBefore(row, reference) {
    var errors = row.previousElementSibling;
    var tbody = row.parentNode;
    tbody.insertBefore(row, reference);
    if (errors && errors.classList.contains("row-form-errors")) tbody.insertBefore(errors, row);
  }

  function move(row, direction) {
    var tbody = row.parentNode;
    var rows = orderedRows(tbody);
    var index = rows.indexOf(row);
    var target = rows[index + direction];
    if (!target) {
      announce(tbody, direction < 0 ? "Already first." : "Already last.");
      return;
    }
    moveBefore(row, direction < 0 ? firstOf(target) : target.nextElementSibling);
    renumber(tbody);
    announce(tbody, "Moved " + (direction < 0 ? "up" : "down") + ": " + placeOf(tbody, row) + ".");
  }

  function firstOf(row) {
    var before = row.previousElementSibling;
    return before && before.classList.contains("row-form-errors") ? before : row;
  }

  function button(direction, label, text) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "order-move";
    element.setAttribute("data-move", direction);
    element.setAttribute("aria-label", label);
    element.title = label;
    element.textContent = text;
    return element;
  }

  // Django's table inlines name their columns in the header only; give each
  // row's boxes, the move buttons' neighbours, the name of their column.
  function headingFor(cell) {
    var table = cell.closest("table");
    var heads = table.querySelectorAll("thead th");
    if (cell.classList.contains("delete")) return heads[heads.length - 1];
    var field = Array.prototype.find.call(cell.classList, function (name) {
      return name.indexOf("field-") === 0;
    });
    return field ? table.querySelector("thead th.column-" + field.slice("field-".length)) : null;
  }

  function labelRow(row) {
    row.querySelectorAll("td").forEach(function (cell) {
      var heading = headingFor(cell);
      if (!heading || !heading.id) return;
      cell.querySelectorAll("input:not([type='hidden']), select, textarea").forEach(function (control) {
        var labelled = control.id && document.querySelector("label[for='" + control.id + "']");
        if (!labelled && !control.hasAttribute("aria-labelledby")) {
          control.setAttribute("aria-labelledby", heading.id);
        }
      });
    });
  }

  function nameColumns(group) {
    var heads = group.querySelectorAll("thead th");
    heads.forEach(function (heading, index) {
      if (!heading.id) heading.id = group.id + "-column-" + index;
    });
    var first = group.querySelector("thead th.original");
    if (first && !first.textContent.trim()) {
      var text = document.createElement("span");
      text.className = "order-label";
      text.textContent = "Saved as";
      first.appendChild(text);
    }
  }

  function enhanceRow(row) {
    labelRow(row);
    var cell = row.querySelector("td.field-position");
    if (!cell || cell.querySelector(".order-controls")) return;
    var controls = document.createElement("span");
    controls.className = "order-controls";
    var handle = document.createElement("span");
    handle.className = "order-handle";
    handle.draggable = true;
    handle.title = "Drag to reorder";
    handle.setAttribute("aria-hidden", "true");
    handle.textContent = "\u2630";
    controls.appendChild(handle);
    controls.appendChild(button("up", "Move up", "\u25B2"));
    controls.appendChild(button("down", "Move down", "\u25BC"));
    cell.appendChild(controls);
  }

  function enhanceGroup(group) {
    var tbody = group.querySelector("table tbody");
    if (!tbody) return;
    nameColumns(group);
    orderedRows(tbody).forEach(enhanceRow);
    var status = document.createElement("p");
    status.className = "order-status";
    status.setAttribute("role", "status");
    group.appendChild(status);
    var dragged = null;

    tbody.addEventListener("click", function (event) {
      var control = event.target.closest(".order-move");
      if (!control) return;
      move(control.closest("tr"), control.getAttribute("data-move") === "up" ? -1 : 1);
      control.focus(); // Moving the row took the focus away from its button.
    });
    tbody.addEventListener("dragstart", function (event) {
      var handle = event.target.closest && event.target.closest(".order-handle");
      if (!handle) return;
      dragged = handle.closest("tr");
      dragged.classList.add("order-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", "");
      event.dataTransfer.setDragImage(dragged, 0, 0);
    });
    tbody.addEventListener("dragover", function (event) {
      if (!dragged) return;
      var over = event.target.closest("tr");
      if (!over || orderedRows(tbody).indexOf(over) < 0) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      if (over === dragged) return;
      var box = over.getBoundingClientRect();
      var before = event.clientY < box.top + box.height / 2;
      moveBefore(dragged, before ? firstOf(over) : over.nextElementSibling);
    });
    tbody.addEventListener("drop", function (event) {
      if (dragged) event.preventDefault();
    });
    tbody.addEventListener("dragend", function () {
      if (!dragged) return;
      dragged.classList.remove("order-dragging");
      renumber(tbody);
      announce(tbody, "Moved: " + placeOf(tbody, dragged) + ".");
      dragged = null;
    });
  }

  function start() {
    document.querySelectorAll(".inline-group[data-inline-type='tabular']").forEach(function (group) {
      if (group.querySelector("td.field-position input")) enhanceGroup(group);
    });
    document.addEventListener("formset:added", function (event) {
      if (event.target.matches("tr.form-row")) enhanceRow(event.target);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
