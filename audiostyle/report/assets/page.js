
(function () {
  "use strict";
  function value(row, col) {
    var cell = row.cells[col];
    if (!cell) return null;
    var v = cell.getAttribute("data-value");
    if (v !== null) return v === "" ? null : parseFloat(v);
    return cell.textContent.trim();
  }
  function compare(a, b, asc) {
    if (a === null && b === null) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    var d = typeof a === "number" && typeof b === "number" ? a - b
      : String(a).localeCompare(String(b), undefined, {numeric: true});
    return asc ? d : -d;
  }
  function sort(table, col, th) {
    var asc = th.getAttribute("aria-sort") !== "ascending";
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) heads[i].setAttribute("aria-sort", "none");
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    for (var t = 0; t < table.tBodies.length; t++) {
      var body = table.tBodies[t], rows = [];
      for (var r = 0; r < body.rows.length; r++) {
        if (!body.rows[r].classList.contains("group")) rows.push(body.rows[r]);
      }
      rows.forEach(function (row, index) { row._order = index; });
      rows.sort(function (a, b) {
        return compare(value(a, col), value(b, col), asc) || a._order - b._order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    var status = table.parentNode.querySelector(".sort-status");
    if (status) {
      status.textContent = "Sorted by " + th.textContent.replace(/[\u25B2\u25BC]/g, "").trim()
        + (asc ? ", ascending." : ", descending.");
    }
  }
  var tables = document.querySelectorAll("table.sortable");
  for (var n = 0; n < tables.length; n++) {
    (function (table) {
      var heads = table.tHead.rows[0].cells;
      for (var c = 0; c < heads.length; c++) {
        (function (th, col) {
          var button = document.createElement("button");
          button.type = "button";
          while (th.firstChild) button.appendChild(th.firstChild);
          th.appendChild(button);
          th.setAttribute("aria-sort", "none");
          button.addEventListener("click", function () { sort(table, col, th); });
        })(heads[c], c);
      }
      var hint = table.parentNode.querySelector(".sort-hint");
      if (hint) hint.hidden = false;
    })(tables[n]);
  }
})();
