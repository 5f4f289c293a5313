/* Public page: designated shelters on the map (the alerts and tables are server-rendered). */
"use strict";
(function () {
  var s = BW.settings();
  var shelters = s.shelters || [];
  var map = BW.makeMap("map", s, [34.73, 136.51], 9);
  var bounds = [];
  shelters.forEach(function (f) {
    var p = BW.point(f);
    if (!p) { return; }
    var props = f.properties || {};
    L.circleMarker(p, { radius: 5, color: "#1b5e20", fillColor: "#43a047", fillOpacity: 0.9, weight: 1 })
      .bindPopup(BW.popup(props.name, [["", props.address], ["", (props.hazards || []).join(", ")],
                                       ["", props.note]]))
      .addTo(map);
    bounds.push(p);
  });
  if (bounds.length > 1) { map.fitBounds(bounds, { maxZoom: 13 }); }
})();
