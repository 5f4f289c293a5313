/* Public page: Mie's offline outline, the warnings in force as coloured areas, and designated shelters
   (the alerts and tables are server-rendered). */
"use strict";
(function () {
  var s = BW.settings();
  var shelters = s.shelters || [];
  var map = BW.makeMap("map", s, [34.5, 136.4], 8);
  BW.warningAreas("map", "").load();
  /* The view fits Mie's outline once it is loaded (map_common.js), so the coloured areas are all in sight. */
  shelters.forEach(function (f) {
    var p = BW.point(f);
    if (!p) { return; }
    var props = f.properties || {};
    L.circleMarker(p, { radius: 5, color: "#1b5e20", fillColor: "#43a047", fillOpacity: 0.9, weight: 1 })
      .bindPopup(BW.popup(props.name, [["", props.address], ["", (props.hazards || []).join(", ")],
                                       ["", props.note]]))
      .addTo(map);
  });
})();
