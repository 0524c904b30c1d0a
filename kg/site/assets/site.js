/* dta-kg site: search from the prebuilt index, and the comparison table's filter, sort and
   CSV export. Everything stays in the page: no request leaves the machine. */
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";

  function text(el) { return (el.textContent || "").trim(); }

  function search() {
    var input = document.getElementById("search");
    var list = document.getElementById("search-results");
    var index = window.DTA_SEARCH || [];
    if (!input || !list) return;
    var prepared = index.map(function (e) {
      return { entry: e, hay: (e.title + " " + e.kind + " " + e.text).toLowerCase() };
    });
    function show() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      list.replaceChildren();
      if (!words.length) return;
      var found = prepared.filter(function (p) {
        return words.every(function (w) { return p.hay.indexOf(w) >= 0; });
      }).slice(0, 20);
      found.forEach(function (p) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = root + p.entry.url;
        a.textContent = p.entry.title;
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = " " + p.entry.kind;
        li.append(a, kind);
        list.append(li);
      });
      if (!found.length) {
        var none = document.createElement("li");
        none.textContent = "nothing found";
        list.append(none);
      }
    }
    input.addEventListener("input", show);
    input.addEventListener("keydown", function (ev) {
      var first = list.querySelector("a");
      if (ev.key === "ArrowDown" && first) { ev.preventDefault(); first.focus(); }
      if (ev.key === "Enter") { ev.preventDefault(); if (first) first.click(); }
      if (ev.key === "Escape") { input.value = ""; show(); }
    });
    list.addEventListener("keydown", function (ev) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var at = links.indexOf(document.activeElement);
      if (ev.key === "ArrowDown" && at + 1 < links.length) { ev.preventDefault(); links[at + 1].focus(); }
      if (ev.key === "ArrowUp") { ev.preventDefault(); (at > 0 ? links[at - 1] : input).focus(); }
    });
  }

  function compare() {
    var table = document.getElementById("compare");
    if (!table) return;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var component = document.getElementById("filter-component");
    var filter = document.getElementById("filter-text");
    var count = document.getElementById("compare-count");
    function visible() { return rows.filter(function (r) { return !r.hidden; }); }
    function apply() {
      var c = component.value, words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      rows.forEach(function (r) {
        var hay = text(r).toLowerCase();
        r.hidden = (c && r.getAttribute("data-component") !== c) ||
          !words.every(function (w) { return hay.indexOf(w) >= 0; });
      });
      count.textContent = visible().length + " rows";
    }
    component.addEventListener("change", apply);
    filter.addEventListener("input", apply);
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headers.forEach(function (th, col) {
      th.querySelector("button").addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        rows.sort(function (a, b) {
          var x = text(a.cells[col]), y = text(b.cells[col]);
          var nx = parseFloat(x), ny = parseFloat(y);
          var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny :
            (x === "") - (y === "") || x.localeCompare(y, undefined, { sensitivity: "base" });
          return up ? order : -order;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    function csv() {
      var quote = function (v) { return /[",\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; };
      var lines = [headers.map(function (h) { return quote(text(h)); }).join(",")];
      visible().forEach(function (r) {
        lines.push(Array.prototype.map.call(r.cells, function (c) { return quote(text(c)); }).join(","));
      });
      return lines.join("\n") + "\n";
    }
    window.dtaCompareCsv = csv;
    document.getElementById("export-csv").addEventListener("click", function () {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([csv()], { type: "text/csv" }));
      a.download = "comparison.csv";
      document.body.append(a);
      a.click();
      a.remove();
    });
  }

  search();
  compare();
  document.body.setAttribute("data-drawn", "1");
})();
