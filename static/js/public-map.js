/* Public map at city scale: after every move or zoom, asks /map/points.json for the map's box and zoom and draws
   what the server sends — clusters counted in the database (a number in a circle; a click zooms in on its cell)
   or, at street level and when few, the reports themselves with their popup (code, topic, status, ward, date,
   link to the tracking page). The words come from the page's data- attributes (no inline script: CSP). */
(function () {
  "use strict";

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }

  function clamp(x, lo, hi) { return Math.min(hi, Math.max(lo, x)); }

  window.ihanoiPublicMap = function (map) {
    var el = map.getContainer(), words = el.dataset;
    var status = document.getElementById("map-status");
    (window.ihanoiMaps = window.ihanoiMaps || {}).publicmap = map;
    var layer = L.layerGroup().addTo(map);
    var shown = {};  // key → marker now on the map: a redraw keeps what is still there (and its open popup)
    var last = "", timer = null, inflight = null;

    function query() {
      var b = map.getBounds();
      var box = [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180),
                 clamp(b.getNorth(), -90, 90)].map(function (x) { return x.toFixed(5); }).join(",");
      return words.url + (words.url.indexOf("?") < 0 ? "?" : "&") + "bbox=" + box + "&zoom=" + map.getZoom();
    }

    function clusterMarker(c, cell) {
      var n = c[2], size = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 44 : 52;
      var icon = L.divIcon({ html: "<span>" + Number(n) + "</span>", iconSize: [size, size],
                             className: "map-cluster " + (n < 10 ? "few" : n < 100 ? "some" : "many") });
      var m = L.marker([c[0], c[1]], { icon: icon, title: fill(words.clusterTitle, { n: n }), keyboard: true });
      m.on("click", function () {
        var y = Math.floor(c[0] / cell) * cell, x = Math.floor(c[1] / cell) * cell;
        var zoom = Math.max(map.getBoundsZoom([[y, x], [y + cell, x + cell]]), map.getZoom() + 1);
        map.setView([c[0], c[1]], Math.min(zoom, map.getMaxZoom()));
      });
      return m;
    }

    function pointMarker(p, data) {
      var st = data.statuses[p[3]] || [p[3], ""];
      // colour by status comes from site.css (.pt.st-<status>), like the legend
      var m = L.circleMarker([p[1], p[2]], { radius: 9, weight: 2, color: "#fff", fillOpacity: 0.95,
                                             className: "pt st-" + st[0] });
      var box = document.createElement("div");
      var a = document.createElement("a");
      a.href = data.url.replace("{code}", encodeURIComponent(p[0])); a.textContent = p[0]; a.className = "code";
      box.appendChild(a);
      [data.topics[p[4]], st[1], p[5] === null ? "" : data.wards[p[5]], p[6]].forEach(function (t) {
        if (!t) return;
        var line = document.createElement("div"); line.textContent = t; box.appendChild(line);
      });
      m.bindPopup(box);
      return m;
    }

    function draw(data, zoom) {
      var next = {};
      data.clusters.forEach(function (c) {
        var key = "c" + c.join(",") + "@" + data.cell;
        next[key] = shown[key] || clusterMarker(c, data.cell);
      });
      data.points.forEach(function (p) {
        var key = "p" + p.join(",");
        next[key] = shown[key] || pointMarker(p, data);
      });
      Object.keys(shown).forEach(function (key) { if (!next[key]) layer.removeLayer(shown[key]); });
      Object.keys(next).forEach(function (key) { if (!shown[key]) layer.addLayer(next[key]); });
      shown = next;
      var values = { n: data.total, shown: data.points.length, total: data.total };
      status.textContent = fill(data.truncated ? words.truncated : words.count, values);
      el.dataset.loaded = String(data.total);
      el.dataset.mode = data.clusters.length ? "clusters" : "points";
      el.dataset.zoom = String(zoom);  // the zoom this drawing answers (a test waits for it)
    }

    function load() {
      var url = query(), zoom = map.getZoom();
      if (url === last) return;
      last = url;
      if (inflight) inflight.abort();
      inflight = window.AbortController ? new AbortController() : null;
      fetch(url, { headers: { Accept: "application/json" }, signal: inflight && inflight.signal })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) { if (url === last) draw(data, zoom); })
        .catch(function (err) {
          if (err.name === "AbortError") return;
          last = "";
          status.textContent = words.failed;
        });
    }

    map.on("moveend zoomend", function () { clearTimeout(timer); timer = setTimeout(load, 120); });
    var b = words.bounds.split(",").map(Number);
    if (words.center) {
      map.setView(words.center.split(",").map(Number), 14, { animate: false });
    } else {
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { animate: false });
    }
    load();
  };
})();
