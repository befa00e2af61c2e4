/* Dashboard and board: sortable tables, the monthly trend (Chart.js), the ward choropleth (Leaflet). */
(function () {
  "use strict";

  // --- sortable tables: click a column header to sort by its data-sort values -------------------------
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, index) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var text = th.dataset.type === "text";
        var tbody = table.tBodies[0];
        var rows = Array.prototype.slice.call(tbody.rows).filter(function (r) { return r.cells.length > 1; });
        rows.sort(function (a, b) {
          var x = a.cells[index].dataset.sort || "", y = b.cells[index].dataset.sort || "";
          if (text) return ascending ? x.localeCompare(y, "vi") : y.localeCompare(x, "vi");
          if (x === "" || y === "") return (x === "") - (y === "");  // empty values always last
          return ascending ? x - y : y - x;
        });
        rows.forEach(function (r) { tbody.appendChild(r); });
      });
    });
  });

  // --- monthly trend -------------------------------------------------------------------------------------------
  var dataEl = document.getElementById("trend-data");
  var canvas = document.getElementById("trend-chart");
  if (dataEl && canvas && window.Chart) {
    var d = JSON.parse(dataEl.textContent);
    new window.Chart(canvas, {
      data: {
        labels: d.labels,
        datasets: [
          { type: "bar", label: d.legend.received, data: d.received, backgroundColor: "#9bb5d6", yAxisID: "y" },
          { type: "bar", label: d.legend.handled, data: d.handled, backgroundColor: "#2b6cb0", yAxisID: "y" },
          { type: "line", label: d.legend.on_time_rate, data: d.on_time_rate, borderColor: "#c8102e",
            backgroundColor: "#c8102e", yAxisID: "rate", tension: 0.2, spanGaps: true }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { beginAtZero: true, position: "left" },
          rate: { beginAtZero: true, max: 100, position: "right", grid: { drawOnChartArea: false } }
        }
      }
    });
  }

  // --- ward choropleth ----------------------------------------------------------------------------------------
  var mapEl = document.getElementById("ward-map");
  if (mapEl && window.L) {
    var map = window.L.map(mapEl, { preferCanvas: true }).setView([21.03, 105.85], 10);
    if (mapEl.dataset.tiles) {
      window.L.tileLayer(mapEl.dataset.tiles, { maxZoom: 18, attribution: mapEl.dataset.attribution }).addTo(map);
    }
    var colour = function (rate) {
      if (rate === null || rate === undefined) return "#d9d9d9";
      return rate < 0.5 ? "#b2182b" : rate < 0.7 ? "#ef8a62" : rate < 0.85 ? "#fddbc7" : rate < 0.95 ? "#91cf60" : "#1a9850";
    };
    fetch(mapEl.dataset.geojson, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        var layer = window.L.geoJSON(geojson, {
          style: function (f) {
            return { color: "#555", weight: 0.7, fillOpacity: 0.75, fillColor: colour(f.properties.on_time_rate) };
          },
          onEachFeature: function (f, l) {
            var p = f.properties;
            var rate = p.on_time_rate === null ? mapEl.dataset.noData : (p.on_time_rate * 100).toFixed(1) + " %";
            var tip = document.createElement("div");
            var b = document.createElement("strong");
            b.textContent = p.name;
            tip.appendChild(b);
            tip.appendChild(document.createElement("br"));
            tip.appendChild(document.createTextNode(mapEl.dataset.label + ": " + rate + " (" + p.on_time + "/" + (p.on_time + p.late) + ")"));
            l.bindTooltip(tip, { sticky: true });
          }
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { animate: false });
        mapEl.dataset.loaded = String(geojson.features.length);
      });
  }
})();
