/* Shared helpers of the command-center and public pages. Every text from the server is set with
   textContent (never innerHTML), so post text and place names stay inert.
   The base map is Mie's municipal outline served by this service (/api/boundaries), so a map works with no
   internet; online tiles are an optional overlay. When the tiles are off or fail to load, the land is
   filled and the sea shows as the container's colour, so the coastline stays visible. */
"use strict";
var BW = (function () {
  var LAND = "#f6f4ee", BORDER = "#5b6770", maps = {};
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
  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }
  function pane(map, name, zIndex) {
    map.createPane(name).style.zIndex = String(zIndex);
  }
  /* A Leaflet map over the offline outline; s.tileUrl (optional) adds online tiles as a layer that can be
     switched off. Registered in BW.maps[id] (map, tiles, outline, warnings) for the page and for tests. */
  function makeMap(id, s, center, zoom) {
    // maxZoom on the map itself: with the tiles off nothing else sets it, and clustering needs it
    var map = L.map(id, { preferCanvas: true, minZoom: 6, maxZoom: 18, zoomSnap: 0.25 }).setView(center, zoom);
    pane(map, "bwBase", 250);   // above tiles (200), below the data overlays (400)
    pane(map, "bwAreas", 350);  // warning areas: above the outline, below markers and points
    var entry = { map: map, tiles: null, tilesOk: false, outline: null, warnings: null };
    maps[id] = entry;
    if (s.tileUrl) {
      entry.tiles = L.tileLayer(s.tileUrl, { maxZoom: 18, attribution: s.tileAttribution || "" });
      entry.tiles.on("tileload", function () { if (!entry.tilesOk) { entry.tilesOk = true; restyle(entry); } });
      entry.tiles.on("add remove", function () { restyle(entry); });
      entry.tiles.addTo(map);
    }
    entry.outline = L.geoJSON(null, { pane: "bwBase", interactive: false, style: function () { return outlineStyle(entry); },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(el("span", null, (f.properties || {}).name), { permanent: true, direction: "center",
                                                                         className: "muni-label", interactive: false });
      } }).addTo(map);
    restyle(entry);
    var moved = false;
    map.once("dragstart zoomstart", function () { moved = true; });
    fetchJson("/api/boundaries").then(function (fc) {
      entry.outline.addData(fc);
      restyle(entry);
      /* data-boundaries says the outline is drawn and the map is at rest: a click on a marker while the
         first fit still zooms lands where the marker was, not where it is. */
      function drawn() { map.getContainer().setAttribute("data-boundaries", String(fc.features.length)); }
      if (!moved && fc.features.length) {
        map.once("moveend", drawn);
        map.fitBounds(entry.outline.getBounds(), { padding: [8, 8] });
      } else { drawn(); }
    }).catch(function (err) { console.error(err); });
    map.on("zoomend", function () { labels(entry); });
    labels(entry);
    return map;
  }
  function offline(entry) {
    return !entry.tiles || !entry.map.hasLayer(entry.tiles) || !entry.tilesOk;
  }
  function outlineStyle(entry) {
    var filled = offline(entry);
    return { color: BORDER, weight: filled ? 1 : 1.5, opacity: 0.9, fill: filled, fillColor: LAND, fillOpacity: 1 };
  }
  function restyle(entry) {
    entry.map.getContainer().classList.toggle("bw-offline", offline(entry));
    if (entry.outline) { entry.outline.setStyle(outlineStyle(entry)); }
  }
  function labels(entry) {
    entry.map.getContainer().classList.toggle("bw-labels", entry.map.getZoom() >= 9);
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
  /* Warnings in force as areas (municipalities, forecast areas as their union), coloured by the highest
     level in force; the server orders them so the highest level is drawn last, on top. */
  function warningAreas(id, labelText) {
    var entry = maps[id];
    var layer = L.geoJSON(null, { pane: "bwAreas",
      style: function (f) {
        var p = f.properties || {};
        return { color: p.level >= 4 ? "#000000" : "#555555", weight: 1.5, fillColor: p.color, fillOpacity: 0.7 };
      },
      onEachFeature: function (f, l) {
        var p = f.properties || {};
        l.bindPopup(popup(p.name, (p.kinds || []).map(function (k) { return [labelText || "", k.name]; })));
      } }).addTo(entry.map);
    entry.warnings = layer;
    function load() {
      return fetchJson("/api/warnings/areas").then(function (fc) {
        layer.clearLayers();
        layer.addData(fc);
        entry.map.getContainer().setAttribute("data-warning-areas", String(fc.features.length));
        return fc;
      }).catch(function (err) { console.error(err); });
    }
    return { layer: layer, load: load };
  }
  /* Play buttons (button[data-speech] on every alert, on both pages; the public page renders them, the
     command center adds them with speakButton): one voice at a time, pressing again stops it. Delegated from
     the document, so alerts that live updates re-render keep working. data-state: playing, done or failed. */
  var voice = null;
  function stopVoice(state) {
    if (!voice) { return; }
    voice.audio.pause();
    voice.button.setAttribute("aria-pressed", "false");
    voice.button.setAttribute("data-state", state);
    voice = null;
  }
  document.addEventListener("click", function (ev) {
    var button = ev.target && ev.target.closest ? ev.target.closest("button[data-speech]") : null;
    if (!button) { return; }
    var again = voice && voice.button === button;
    stopVoice("done");
    if (again) { return; }
    var audio = new Audio(button.getAttribute("data-speech")), mine = { audio: audio, button: button };
    voice = mine;
    button.setAttribute("aria-pressed", "true");
    button.setAttribute("data-state", "playing");
    function end(state) { return function () { if (voice === mine) { stopVoice(state); } }; }
    audio.addEventListener("ended", end("done"));
    audio.addEventListener("error", end("failed"));
    var started = audio.play();
    if (started && started.catch) { started.catch(end("failed")); }
  });
  function speakButton(url, label) {
    var button = el("button", "speak");
    button.type = "button";
    button.setAttribute("data-speech", url);
    button.setAttribute("aria-pressed", "false");
    button.appendChild(el("span", null, "\u25B6\uFE0E ")).setAttribute("aria-hidden", "true");
    button.appendChild(document.createTextNode(label));
    return button;
  }
  return { settings: settings, el: el, fetchJson: fetchJson, makeMap: makeMap, popup: popup, point: point,
           warningAreas: warningAreas, maps: maps, speakButton: speakButton };
})();
