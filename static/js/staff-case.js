/* Staff case page: the report's point and its ward's boundary on the map (data from the page's json_script). */
window.showCase = function (map) {
  "use strict";
  var point = JSON.parse(document.getElementById("case-point").textContent);
  var boundary = JSON.parse(document.getElementById("ward-boundary").textContent);
  var layer = boundary ? L.geoJSON(boundary, {style: {color: "#c8102e", weight: 2, fillOpacity: 0.05}}).addTo(map) : null;
  if (point) { L.marker(point).addTo(map); map.setView(point, 16); }
  else if (layer) { map.fitBounds(layer.getBounds()); }
};
