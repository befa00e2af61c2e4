/* Tracking page: the report's point on a small map (no interaction needed to read the page). */
window.ihanoiCaseMap = function (map) {
  "use strict";
  var el = map.getContainer();
  var at = [Number(el.dataset.lat), Number(el.dataset.lon)];
  map.setView(at, 16, { animate: false });
  L.marker(at, { keyboard: false, title: el.getAttribute("aria-label") || "" }).addTo(map);
  (window.ihanoiMaps = window.ihanoiMaps || {}).casemap = map;
};
