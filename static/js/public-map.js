/* Public map: every public report as a clustered marker (Leaflet.markercluster), loaded from a JSON endpoint. */
(function () {
  "use strict";
  window.ihanoiPublicMap = function (map) {
    var el = map.getContainer();
    (window.ihanoiMaps = window.ihanoiMaps || {}).publicmap = map;
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
    map.addLayer(cluster);
    window.ihanoiCluster = cluster;
    fetch(el.dataset.url, { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); })
      .then(function (d) {
        var markers = d.points.map(function (p) {
          // colour by status comes from site.css (.pt.st-<status>), like the legend
          var m = L.circleMarker([p.lat, p.lon], { radius: 9, weight: 2, color: "#fff", fillOpacity: 0.95,
                                                   className: "pt st-" + p.status });
          var box = document.createElement("div");
          var a = document.createElement("a");
          a.href = p.url; a.textContent = p.code; a.className = "code";
          box.appendChild(a);
          [p.topic, p.status_label, p.ward, p.received].forEach(function (t) {
            if (!t) return;
            var line = document.createElement("div"); line.textContent = t; box.appendChild(line);
          });
          m.bindPopup(box);
          return m;
        });
        cluster.addLayers(markers);
        el.dataset.loaded = String(markers.length);
        if (markers.length) map.fitBounds(cluster.getBounds(), { maxZoom: 16, padding: [20, 20], animate: false });
      });
  };
})();
