// aiprices report: charts from each page's JSON data, the changes filter, and the model search box.
// Data arrives as JSON (never as markup) and is shown with textContent, so no name from the data runs.
(function () {
  "use strict";

  function drawCharts() {
    if (!window.Plotly) return;
    document.querySelectorAll("script.chart-data").forEach(function (node) {
      var target = document.getElementById(node.dataset.target);
      var figure = JSON.parse(node.textContent);
      window.Plotly.newPlot(target, figure.data, figure.layout, figure.config);
    });
  }

  function filterChanges() {
    var table = document.getElementById("changes");
    if (!table) return;
    var vendor = document.getElementById("filter-vendor");
    var kind = document.getElementById("filter-kind");
    var count = document.getElementById("filter-count");
    function apply() {
      var shown = 0;
      table.querySelectorAll("tbody tr[data-kind]").forEach(function (row) {
        var ok = (!vendor.value || row.dataset.vendor === vendor.value) && (!kind.value || row.dataset.kind === kind.value);
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown + " shown";
    }
    vendor.addEventListener("change", apply);
    kind.addEventListener("change", apply);
    apply();
  }

  function search() {
    var input = document.getElementById("search");
    var list = document.getElementById("search-results");
    var models = window.AIPRICES_MODELS || [];
    var root = document.body.dataset.root || "";
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      list.replaceChildren();
      if (!q) { list.hidden = true; return; }
      var hits = models.filter(function (m) { return m[0].toLowerCase().indexOf(q) !== -1; })
        .sort(function (a, b) { return a[0].toLowerCase().indexOf(q) - b[0].toLowerCase().indexOf(q) || a[0].length - b[0].length; })
        .slice(0, 30);
      hits.forEach(function (m) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = root + m[1];
        a.textContent = m[0];
        var v = document.createElement("span");
        v.className = "vendors";
        v.textContent = m[2].join(", ");
        a.appendChild(v);
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = hits.length === 0;
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { var first = list.querySelector("a"); if (first) window.location.href = first.href; }
      if (e.key === "Escape") { list.hidden = true; }
    });
  }

  drawCharts();
  filterChanges();
  search();
})();
