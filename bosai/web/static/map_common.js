/* Shared helpers of the command-center and public pages. Every text from the server is set with
   textContent (never innerHTML), so post text and place names stay inert. */
"use strict";
var BW = (function () {
  function settings() {
    try { return JSON.parse(document.body.getAttribute("data-settings") || "{}"); }
    catch (e) { return {}; }
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function makeMap(id, s, center, zoom) {
    var map = L.map(id, { preferCanvas: true }).setView(center, zoom);
    if (s.tileUrl) {
      L.tileLayer(s.tileUrl, { maxZoom: 18, attribution: s.tileAttribution || "" }).addTo(map);
    }
    return map;
  }
  /* A popup body: a title and "label: value" lines, all as text nodes. */
  function popup(title, rows) {
    var box = el("div", "popup");
    box.appendChild(el("strong", null, title));
    rows.forEach(function (r) {
      if (r[1] === undefined || r[1] === null || r[1] === "") { return; }
      var line = el("div", "popup-row");
      if (r[0]) { line.appendChild(el("span", "popup-label", r[0] + ": ")); }
      line.appendChild(el("span", "popup-value", r[1]));
      box.appendChild(line);
    });
    return box;
  }
  function point(feature) {
    var c = feature && feature.geometry && feature.geometry.coordinates;
    return c ? [c[1], c[0]] : null;
  }
  return { settings: settings, el: el, makeMap: makeMap, popup: popup, point: point };
})();
