/* Public page: the offline map with the warnings in force as coloured areas and the open shelters; shelter
   lists loaded on demand (the nearest ones only after the reader presses the button, which is when the browser
   asks for the location); and live updates: on a live event the sections are re-read from this same page,
   so the server stays the only renderer. Every text from the server goes in as text or as nodes of a
   document the server escaped; nothing is run. */
"use strict";
(function () {
  var s = BW.settings(), T = s.text || {}, H = s.hazards || {};
  var URGENT = { alert: 1, warning: 1, evacuation: 1, shelter: 1, incident: 1, reload: 1 };
  var map = BW.makeMap("map", s, [34.5, 136.4], 8);
  var areas = BW.warningAreas("map", "");
  var shelters = L.layerGroup().addTo(map);
  var status = { open: T.status_open, full: T.status_full, closed: T.status_closed };
  var timer = null, due = 0, refreshes = 0;
  var events = [], refreshed = [];  /* when live events came and refreshes ended, read by the browser tests */
  areas.load();

  function hazardText(list) {
    return (list || []).map(function (h) { return H[h] || H.other || h; }).join(", ");
  }
  function distanceKm(a, b) {
    var r = Math.PI / 180, dLat = (b[0] - a[0]) * r, dLng = (b[1] - a[1]) * r;
    var h = Math.pow(Math.sin(dLat / 2), 2) + Math.cos(a[0] * r) * Math.cos(b[0] * r) * Math.pow(Math.sin(dLng / 2), 2);
    return 12742 * Math.asin(Math.sqrt(h));
  }
  function shelterItem(f, from) {
    var p = f.properties || {}, li = BW.el("li", "shelter shelter-" + (p.status || "closed"));
    li.setAttribute("data-shelter-id", p.id || "");
    li.appendChild(BW.el("strong", null, p.name));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(BW.el("span", "status status-" + (p.status || "closed"), status[p.status] || status.closed));
    if (from && BW.point(f)) {
      li.appendChild(BW.el("span", "distance", " " + distanceKm(from, BW.point(f)).toFixed(1) + " km"));
    }
    li.appendChild(BW.el("div", "address", p.address));
    if ((p.hazards || []).length) { li.appendChild(BW.el("div", "hazards", hazardText(p.hazards))); }
    return li;
  }
  /* An open shelter is a ✓ pin, a full one a hatched ! pin (the legend says which is which in the page's
     language): the status shows without relying on colour. Out of the tab order, as the list below has them. */
  var PIN = { open: "\u2713", full: "!" };
  function addMarker(f) {
    var p = f.properties || {}, at = BW.point(f);
    if (!at) { return; }
    var kind = p.status === "full" ? "full" : "open";
    var pin = BW.el("span", "shelter-pin shelter-" + kind, PIN[kind]);
    pin.setAttribute("data-shelter-id", p.id || "");
    var m = L.marker(at, { icon: L.divIcon({ html: pin, className: "shelter-icon", iconSize: [22, 22] }), keyboard: false,
                           title: (p.name || "") + " — " + (status[p.status] || status.closed), zIndexOffset: 500 })
      .bindPopup(BW.popup(p.name, [["", status[p.status] || status.closed], ["", p.address],
                                   ["", hazardText(p.hazards)], ["", p.note]]))
      .addTo(shelters);
    if (m.getElement()) { m.getElement().setAttribute("tabindex", "-1"); }
  }
  var legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    var box = BW.el("div", "map-legend");
    box.appendChild(BW.el("span", null, (T.open_now || "") + ": "));
    ["open", "full"].forEach(function (k) {
      box.appendChild(BW.el("span", "shelter-pin shelter-" + k, PIN[k])).setAttribute("aria-hidden", "true");
      box.appendChild(BW.el("span", null, " " + status[k] + " "));
    });
    return box;
  };
  legend.addTo(map);
  function fill(list, features, from, emptyText) {
    list.replaceChildren();
    features.forEach(function (f) { list.appendChild(shelterItem(f, from)); });
    if (!features.length && emptyText) { list.appendChild(BW.el("li", "empty", emptyText)); }
  }
  /* The open shelters (open or full): small, fetched when the page loads and on every shelter event. */
  function loadOpen() {
    return BW.fetchJson("/api/shelters?open=1&limit=300").then(function (fc) {
      shelters.clearLayers();
      fc.features.forEach(addMarker);
      map.getContainer().setAttribute("data-open-shelters", String(fc.features.length));
      fill(document.getElementById("open-shelters"), fc.features, null, T.no_open);
      document.getElementById("s-shelters").setAttribute("data-open-shelters", String(fc.features.length));
    }).catch(function (err) { console.error(err); });
  }
  function nearMe() {
    var note = document.getElementById("near-status"), list = document.getElementById("near-list");
    if (!navigator.geolocation) { note.textContent = T.geo_error; return; }
    note.textContent = T.locating;
    navigator.geolocation.getCurrentPosition(function (pos) {
      var here = [pos.coords.latitude, pos.coords.longitude];
      var near = "&near=" + here[0].toFixed(5) + "," + here[1].toFixed(5) + "&limit=5";
      BW.fetchJson("/api/shelters?open=1" + near).then(function (fc) {
        if (fc.features.length) { note.textContent = ""; return fc; }
        note.textContent = T.nearest_designated;  // none open: the nearest designated ones, marked not open
        return BW.fetchJson("/api/shelters?" + near.slice(1));
      }).then(function (fc) {
        fill(list, fc.features, here, T.no_open);
        if (fc.features.length) {
          var bounds = L.latLngBounds([here]);
          fc.features.forEach(function (f) { if (BW.point(f)) { bounds.extend(BW.point(f)); } });
          map.fitBounds(bounds, { padding: [16, 16], maxZoom: 15 });
        }
      }).catch(function (err) { note.textContent = T.geo_error; console.error(err); });
    }, function () { note.textContent = T.geo_error; }, { timeout: 15000, maximumAge: 300000 });
  }
  /* Re-read the page and swap the server-rendered sections and the "last updated" time. */
  function refresh() {
    timer = null;
    return fetch("/public/" + encodeURIComponent(s.lang), { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error("refresh: " + r.status); }
      return r.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      document.querySelectorAll("[data-section]").forEach(function (node) {
        var fresh = doc.querySelector('[data-section="' + node.getAttribute("data-section") + '"]');
        if (fresh) { node.replaceChildren.apply(node, Array.prototype.slice.call(fresh.childNodes)); }
      });
      var now = doc.getElementById("updated"), here = document.getElementById("updated");
      if (now && here) { here.textContent = now.textContent; here.setAttribute("datetime", now.getAttribute("datetime")); }
      document.body.setAttribute("data-refreshes", String(++refreshes));
      refreshed.push(Date.now());
    }).catch(function (err) { console.error(err); });
  }
  /* Official news within half a second (an evacuation order, rare and urgent, at once: its alert follows in the
     same refresh); gauge and camera readings, which arrive all the time, every 15 s. */
  function schedule(name) {
    var wait = name === "evacuation" ? 100 : URGENT[name] ? 500 : 15000;
    if (name === "shelter") { loadOpen(); }
    if (name === "alert" || name === "warning" || name === "evacuation" || name === "reload") { areas.load(); }
    if (timer && due <= Date.now() + wait) { return; }
    if (timer) { clearTimeout(timer); }
    due = Date.now() + wait;
    timer = setTimeout(refresh, wait);
  }
  function live() {
    var dot = document.getElementById("live-dot");
    if (!window.EventSource) { setInterval(refresh, 60000); return; }
    var source = new EventSource("/live");
    ["alert", "warning", "evacuation", "shelter", "incident", "gauge", "camera", "reload"].forEach(function (name) {
      source.addEventListener(name, function () { events.push({ name: name, at: Date.now() }); schedule(name); });
    });
    source.onopen = function () { dot.classList.add("on"); document.body.setAttribute("data-live", "on"); };
    source.onerror = function () { dot.classList.remove("on"); };
    setInterval(function () { schedule("tick"); }, 300000);  // times and staleness move on even when quiet
  }
  document.getElementById("near-me").addEventListener("click", nearMe);
  loadOpen();
  live();
  BW.publicPage = { refresh: refresh, loadOpen: loadOpen, events: events, refreshed: refreshed };
})();
