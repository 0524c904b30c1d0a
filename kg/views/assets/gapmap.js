// Filters of the evidence gap map: which studies count (set, years, design, population). Each
// cell keeps the indexes of the studies found in it (data-found) and of those it cannot place
// for want of coding (data-uncoded); a filter recounts both and sets the cell's state again,
// and whether the studies shown place it on stated facts (data-stated) or on inferences only.
(function () {
  "use strict";
  var studies = JSON.parse(document.getElementById("gap-data").textContent);
  var form = document.getElementById("filters");
  var field = function (id) { return document.getElementById(id).value; };
  var ids = function (text) { return text.trim() ? text.trim().split(/\s+/).map(Number) : []; };

  function keep(s) {
    var scope = field("f-scope"), from = field("f-year-from"), to = field("f-year-to");
    var design = field("f-design"), words = field("f-population").trim().toLowerCase();
    if (scope !== "all" && s.scope !== scope) return false;
    if (from && !(s.year >= Number(from))) return false;
    if (to && !(s.year <= Number(to))) return false;
    if (design && s.designs.indexOf(design) < 0) return false;
    if (words && !s.populations.some(function (p) { return p.toLowerCase().indexOf(words) >= 0; })) {
      return false;
    }
    return true;
  }

  function apply() {
    var shown = studies.map(keep);
    document.querySelectorAll("td[data-found]").forEach(function (td) {
      var found = ids(td.dataset.found).filter(function (i) { return shown[i]; });
      var uncoded = ids(td.dataset.uncoded).filter(function (i) { return shown[i]; });
      var stated = ids(td.dataset.stated).filter(function (i) { return shown[i]; });
      var state = found.length ? "filled" : uncoded.length ? "uncoded" : "gap";
      var inferred = state === "filled" ? !stated.length
        : state === "gap" && td.dataset.codingInferred === "true";
      td.className = state + (inferred ? " inferred" : "");
      td.querySelector(".bubble").textContent = String(found.length);
      td.querySelector(".uncoded-key .n").textContent = String(uncoded.length);
      var also = td.querySelector(".also");
      if (also) also.hidden = !uncoded.length;
      td.querySelectorAll("li[data-study]").forEach(function (li) {
        li.hidden = !shown[Number(li.dataset.study)];
      });
    });
    document.querySelectorAll("#studies li[data-study]").forEach(function (li) {
      li.hidden = !shown[Number(li.dataset.study)];
    });
    var count = shown.filter(Boolean).length;
    document.getElementById("shown").textContent = count + " of " + studies.length + " studies";
    document.body.dataset.filtered = String(count);
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
  document.body.dataset.drawn = "true";
})();
