/* Command-center page: map layers, filters, live updates over SSE, triage panel. */
"use strict";
(function () {
  var S = BW.settings();
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var user = S.user || null;
  var colors = S.levelColors || {};
  var map = BW.makeMap("map", S, [34.73, 136.51], 9);
  var warningAreas = BW.warningAreas("map", "警報・注意報");
  /* Posts and incidents are clustered; an incident cluster takes the colour of its most severe incident. */
  function incidentCluster(cluster) {
    var top = 0;
    cluster.getAllChildMarkers().forEach(function (m) { top = Math.max(top, m.options.severity || 0); });
    var node = BW.el("span", "incident-badge cluster-badge sev-" + top, cluster.getChildCount());
    node.style.backgroundColor = levelColor(top);
    node.style.color = top >= 3 ? "#FFFFFF" : "#000000";
    return L.divIcon({ html: node, className: "incident-icon", iconSize: [34, 34] });
  }
  var layers = {
    incidents: L.markerClusterGroup({ iconCreateFunction: incidentCluster, maxClusterRadius: 40 }).addTo(map),
    posts: L.markerClusterGroup({ maxClusterRadius: 50 }).addTo(map),
    warnings: warningAreas.layer, gauges: L.layerGroup().addTo(map),
    cameras: L.layerGroup().addTo(map), shelters: L.layerGroup()
  };
  var overlays = {
    "インシデント / Incidents": layers.incidents, "投稿 / Flagged posts": layers.posts,
    "警報 / Warnings": layers.warnings, "水位 / Gauges": layers.gauges,
    "カメラ / Cameras": layers.cameras, "避難所 / Shelters": layers.shelters
  };
  var tiles = BW.maps.map.tiles;
  if (tiles) { overlays["地理院タイル / online tiles"] = tiles; }
  var small = window.matchMedia("(max-width: 800px)").matches;
  L.control.layers(null, overlays, { collapsed: small }).addTo(map);
  if (small) { document.getElementById("filter-box").open = false; }
  /* Shelters (2 MB) load only when their layer is switched on. */
  var sheltersLoaded = false;
  map.on("overlayadd", function (e) { if (e.layer === layers.shelters && !sheltersLoaded) { loadShelters(); } });
  /* Map markers stay out of the tab order: the queue, not 200 markers, is what the keyboard works through. */
  new MutationObserver(function (records) {
    records.forEach(function (r) {
      r.addedNodes.forEach(function (n) {
        if (n.nodeType === 1 && n.classList.contains("leaflet-marker-icon")) { n.setAttribute("tabindex", "-1"); }
      });
    });
  }).observe(map.getPane("markerPane"), { childList: true });
  var index = { incidents: {}, posts: {}, gauges: {}, cameras: {} };
  var muniNames = {};
  (S.municipalities || []).forEach(function (m) { muniNames[m[0]] = m[1]; });

  function levelColor(level) { return colors[String(level)] || "#FFFFFF"; }
  function $(id) { return document.getElementById(id); }
  var hazardLabels = S.hazardLabels || {};
  function hazardName(code) { var l = hazardLabels[code]; return l ? l[0] + " / " + l[1] : (code || ""); }
  var jstFormat = new Intl.DateTimeFormat("ja-JP", { timeZone: "Asia/Tokyo", month: "numeric", day: "numeric",
                                                    hour: "2-digit", minute: "2-digit" });
  /* Times as the command center reads them: Japan time, not ISO with +00:00. */
  function jst(iso) {
    if (!iso) { return ""; }
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : jstFormat.format(d) + " JST";
  }
  function thresholdText(t) {
    if (!t) { return ""; }
    return ["待機 " + t.standby, "注意 " + t.caution, "判断 " + t.evacuation_judgement, "危険 " + t.danger]
      .concat(t.plan_high ? ["計画高 " + t.plan_high] : []).join(" / ");
  }
  function filters() {
    return { hazard: $("f-hazard").value, municipality: $("f-municipality").value, since: $("f-since").value };
  }
  function query() {
    var f = filters(), q = [];
    Object.keys(f).forEach(function (k) { if (f[k]) { q.push(k + "=" + encodeURIComponent(f[k])); } });
    return q.length ? "?" + q.join("&") : "";
  }
  /* Live events are filtered on the client by hazard and municipality; they are new, so "since" holds. */
  function passes(props, hazards) {
    var f = filters();
    if (f.hazard && hazards.indexOf(f.hazard) < 0) { return false; }
    return !(f.municipality && String(props.municipality_code || "").indexOf(f.municipality) !== 0
             && props.municipality !== muniNames[f.municipality]);
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }
  function logEvent(kind, text) {
    var li = BW.el("li", "ev ev-" + kind);
    li.appendChild(BW.el("span", "ev-kind", kind));
    li.appendChild(BW.el("span", "ev-text", text));
    var list = $("event-log");
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 50) { list.removeChild(list.lastChild); }
  }

  function incidentIcon(p) {
    var node = BW.el("span", "incident-badge sev-" + p.severity, p.post_count || 1);
    node.setAttribute("data-incident-id", String(p.id));
    node.setAttribute("data-status", String(p.status));
    node.setAttribute("title", p.title || "");
    node.style.backgroundColor = p.color || levelColor(p.severity);
    node.style.color = p.severity >= 3 ? "#FFFFFF" : "#000000";
    return L.divIcon({ html: node, className: "incident-icon", iconSize: [28, 28] });
  }
  function upsertIncident(f) {
    var p = f.properties, at = BW.point(f), old = index.incidents[p.id];
    if (old) { layers.incidents.removeLayer(old); delete index.incidents[p.id]; }
    if (!at || p.merged_into || p.status === "dismissed" || !passes(p, [p.hazard])) { return; }
    var m = L.marker(at, { icon: incidentIcon(p), title: p.title || "", severity: p.severity, keyboard: false });
    m.bindPopup(BW.popup(p.title, [
      ["種別 / hazard", p.hazard], ["場所 / place", p.place], ["市町", p.municipality],
      ["状態 / status", p.status], ["深刻度 / severity", p.severity], ["投稿 / posts", p.post_count],
      ["重複 / duplicates", p.duplicate_count], ["裏付け / corroborated", (p.corroborated_by || []).join(", ")],
      ["最新 / last seen", p.last_seen]]));
    index.incidents[p.id] = m.addTo(layers.incidents);
  }
  function upsertPost(f) {
    var p = f.properties, at = BW.point(f);
    var hazards = (p.categories || []).map(function (c) { return c.name; });
    if (!at || index.posts[p.id] || !passes(p, hazards)) { return; }
    var m = L.marker(at, { icon: L.divIcon({ className: "post-dot", iconSize: [12, 12] }), title: p.place || "",
                           keyboard: false })
      .bindPopup(BW.popup(p.author, [["", p.text], ["種別 / categories", hazards.join(", ")],
                                     ["場所 / place", p.place], ["時刻 / time", p.observed_at]]));
    index.posts[p.id] = m.addTo(layers.posts);
  }
  function upsertGauge(f) {
    var p = f.properties, at = BW.point(f), old = index.gauges[p.gauge_id];
    if (old) { layers.gauges.removeLayer(old); }
    if (!at) { return; }
    var m = L.circleMarker(at, { radius: 8, color: "#263238", weight: 2, fillOpacity: 1,
                                 fillColor: p.color || levelColor(p.warning_level) })
      .bindPopup(BW.popup(p.name, [["河川 / river", p.river], ["水位 / level (m)", p.level_m],
        ["超えた基準 / above", p.threshold_name || (p.warning_level ? "" : "水防団待機水位未満 / below standby")],
        ["基準水位 / thresholds (m)", thresholdText(p.thresholds_m)],
        ["傾向 / trend (m/h)", p.trend_m_per_h], ["時刻 / time", jst(p.observed_at)],
        ["欠測 / stale", p.stale ? "yes" : ""]]));
    index.gauges[p.gauge_id] = m.addTo(layers.gauges);
  }
  function cameraPopup(p) {
    var box = BW.popup(p.name, [["状態 / status", p.status], ["時刻 / time", p.observed_at]]);
    var src = p.thumbnail_url || p.image_url;
    if (src && src.indexOf("/cameras/") === 0) {
      var link = BW.el("a"); link.href = p.image_url; link.target = "_blank"; link.rel = "noopener";
      var img = BW.el("img", "camera-still"); img.src = src + "?t=" + Date.now(); img.alt = p.name || "camera";
      link.appendChild(img); box.appendChild(link);
    }
    return box;
  }
  function upsertCamera(f) {
    var p = f.properties, at = BW.point(f), old = index.cameras[p.camera_id];
    if (old) { layers.cameras.removeLayer(old); }
    if (!at) { return; }
    var m = L.circleMarker(at, { radius: 6, color: "#37474f", fillColor: p.status === "ok" ? "#90a4ae" : "#b0bec5",
                                 fillOpacity: 1, weight: 2, dashArray: p.status === "ok" ? null : "2 2" });
    m.bindPopup(function () { return cameraPopup(p); });
    index.cameras[p.camera_id] = m.addTo(layers.cameras);
  }
  function addAlert(a, atTop) {
    var old = document.querySelector('#alert-list li[data-alert-id="' + CSS.escape(a.id) + '"]');
    if (old) { old.parentNode.removeChild(old); }
    var cancelled = a.msg_type === "Cancel" || !!a.ended_at;
    var li = BW.el("li", "alert-item" + (cancelled ? " cancelled" : ""));
    li.setAttribute("data-alert-id", a.id);
    var sw = BW.el("span", "swatch"); sw.style.backgroundColor = a.color || "#FFFFFF"; li.appendChild(sw);
    if (cancelled) { li.appendChild(BW.el("span", "cancel-tag", a.msg_type === "Cancel" ? "取消・解除 / Cancelled" : "終了 / Ended")); }
    var areaNames = (a.areas || []).map(function (x) { return x.name || x.code; }).join("、");
    li.appendChild(BW.el("span", "alert-text", " " + hazardName(a.event || a.hazard) + " — " + areaNames + " "));
    li.appendChild(BW.el("span", "alert-time", jst(a.sent) + " "));
    var cap = BW.el("a", null, "CAP"); cap.href = "/cap/" + encodeURIComponent(a.id) + ".xml"; li.appendChild(cap);
    var list = $("alert-list");
    if (atTop) { list.insertBefore(li, list.firstChild); } else { list.appendChild(li); }
  }

  function loadAll() {
    var q = query();
    fetchJson("/api/incidents" + q).then(function (fc) {
      layers.incidents.clearLayers(); index.incidents = {};
      fc.features.forEach(upsertIncident);
    }).catch(console.error);
    layers.posts.clearLayers(); index.posts = {};
    if (!user) { return; }  /* flagged posts are for operators only (401 without a login) */
    fetchJson("/api/posts" + q).then(function (fc) {
      layers.posts.clearLayers(); index.posts = {};
      fc.features.forEach(upsertPost);
    }).catch(console.error);
  }
  function loadStatic() {
    fetchJson("/api/gauges").then(function (fc) { fc.features.forEach(upsertGauge); }).catch(console.error);
    fetchJson("/api/cameras").then(function (fc) { fc.features.forEach(upsertCamera); }).catch(console.error);
    warningAreas.load();
    fetchJson("/api/alerts?limit=30").then(function (list) {
      list.forEach(function (a) { addAlert(a, false); });
    }).catch(console.error);
    if (map.hasLayer(layers.shelters)) { loadShelters(); }
  }
  function loadShelters() {
    sheltersLoaded = true;
    fetchJson("/api/shelters?limit=5000").then(function (fc) {
      layers.shelters.clearLayers();
      fc.features.forEach(function (f) {
        var p = f.properties;
        L.circleMarker(BW.point(f), { radius: 3, color: "#1b5e20", fillColor: "#43a047", fillOpacity: 0.9, weight: 1 })
          .bindPopup(BW.popup(p.name, [["住所", p.address], ["対象", (p.hazards || []).join(", ")], ["備考", p.note]]))
          .addTo(layers.shelters);
      });
    }).catch(function (err) { sheltersLoaded = false; console.error(err); });
  }

  /* Triage panel */
  function post(url, body) {
    return fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body || {}) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; }); });
  }
  function showUser() {
    $("login-form").hidden = !!user;
    $("triage-user").hidden = !user;
    $("user-name").textContent = user || "";
    if (user) { loadTriage(); } else { $("triage-list").textContent = ""; }
  }
  function triageItem(f, others) {
    var p = f.properties, li = BW.el("li", "triage-item");
    li.setAttribute("data-incident-id", String(p.id));
    li.appendChild(BW.el("strong", null, p.title));
    li.appendChild(BW.el("div", "meta", [p.hazard, p.place, "sev " + p.severity, p.post_count + " posts"].join(" · ")));
    var posts = BW.el("ul", "samples");
    // Each post shown is ticked as judged: only ticked posts become training labels with the decision.
    var judged = [];
    (p.posts || []).forEach(function (s) {
      var item = BW.el("li"), label = BW.el("label"), tick = BW.el("input", "judged");
      tick.type = "checkbox"; tick.checked = true; tick.title = "この投稿を判断した / I judged this post";
      label.appendChild(tick); label.appendChild(document.createTextNode(" " + s.author + ": " + s.text));
      item.appendChild(label); posts.appendChild(item); judged.push([s.id, tick]);
    });
    li.appendChild(posts);
    var reason = BW.el("input", "reason"); reason.placeholder = "理由 / reason"; reason.maxLength = 500;
    li.appendChild(reason);
    var into = BW.el("select", "merge-into");
    into.appendChild(BW.el("option", null, "統合先 / merge into…")).value = "";
    others.forEach(function (o) {
      if (o.properties.id !== p.id) {
        into.appendChild(BW.el("option", null, "#" + o.properties.id + " " + o.properties.title)).value = String(o.properties.id);
      }
    });
    ["confirm", "dismiss", "merge"].forEach(function (action) {
      var b = BW.el("button", "act act-" + action, { confirm: "確認 / Confirm", dismiss: "却下 / Dismiss",
                                                     merge: "統合 / Merge" }[action]);
      b.type = "button"; b.setAttribute("data-action", action);
      b.addEventListener("click", function () {
        var body = { reason: reason.value };
        if (action === "merge") { if (!into.value) { return; } body.into = Number(into.value); }
        else { body.posts = judged.filter(function (j) { return j[1].checked; }).map(function (j) { return j[0]; }); }
        post("/api/triage/" + p.id + "/" + action, body).then(function (r) {
          logEvent("triage", action + " #" + p.id + (r.ok ? " ok" : " " + (r.body.error || r.status)));
          loadTriage();
        });
      });
      li.appendChild(b);
    });
    li.appendChild(into);
    return li;
  }
  function loadTriage() {
    if (!user) { return; }
    fetchJson("/api/triage").then(function (fc) {
      var list = $("triage-list");
      list.textContent = "";
      fc.features.forEach(function (f) { list.appendChild(triageItem(f, fc.features)); });
      if (!fc.features.length) { list.appendChild(BW.el("li", "empty", "未確認なし / nothing to triage")); }
    }).catch(function () { user = null; showUser(); });
  }
  var triageTimer = null;
  function loadTriageSoon() { clearTimeout(triageTimer); triageTimer = setTimeout(loadTriage, 500); }
  $("login-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var form = ev.target;
    post("/login", { username: form.username.value, password: form.password.value }).then(function (r) {
      if (r.ok) { user = r.body.user; csrf = r.body.csrf; form.password.value = ""; $("login-error").textContent = ""; }
      else { $("login-error").textContent = r.status === 429 ? "too many attempts" : "ログインできません / login failed"; }
      showUser();
      if (r.ok) { loadAll(); connect(); }  /* the operators' view: posts, unverified incidents */
    });
  });
  $("logout").addEventListener("click", function () {
    post("/logout").then(function () { return fetchJson("/api/session"); }).then(function (s) {
      csrf = s.csrf; user = s.user; showUser(); loadAll(); connect();
    });
  });

  /* Filters */
  S.hazards.forEach(function (h) { $("f-hazard").appendChild(BW.el("option", null, hazardName(h))).value = h; });
  S.municipalities.forEach(function (m) { $("f-municipality").appendChild(BW.el("option", null, m[1])).value = m[0]; });
  $("filters").addEventListener("change", function () { loadAll(); loadTriage(); });

  /* Live updates. The browser reconnects by itself with Last-Event-ID and gets what it missed; when the
     server cannot replay it, a "reload" event asks for the full state again. */
  var es = null;
  function refresh() {
    $("alert-list").textContent = "";
    loadAll(); loadStatic(); loadTriage();
  }
  function connect() {
    if (es) { es.close(); }  /* a login or logout changes what the stream may carry: open a new one */
    es = new EventSource("/live");
    var status = $("live-status");
    status.textContent = "接続中 / connecting"; status.className = "live-status";
    es.onopen = function () { status.textContent = "ライブ / live"; status.className = "live-status on"; };
    es.onerror = function () { status.textContent = "再接続中 / reconnecting"; status.className = "live-status off"; };
    function on(name, fn) {
      es.addEventListener(name, function (e) {
        var data;
        try { data = JSON.parse(e.data); } catch (err) { return; }
        fn(data);
      });
    }
    on("incident", function (f) {
      upsertIncident(f); logEvent("incident", f.properties.title + " (" + f.properties.status + ")"); loadTriageSoon();
    });
    on("post", function (f) { upsertPost(f); logEvent("post", f.properties.text); });
    on("gauge", function (f) { upsertGauge(f); logEvent("gauge", f.properties.name + " " + f.properties.level_m + " m"); });
    on("camera", function (c) {
      var id = encodeURIComponent(c.camera_id);
      upsertCamera({ type: "Feature", geometry: { type: "Point", coordinates: [c.lng, c.lat] },
        properties: { camera_id: c.camera_id, name: c.name, status: c.status, observed_at: "",
                      image_url: "/cameras/" + id + "/latest.jpg", thumbnail_url: "/cameras/" + id + "/thumbnail.jpg" } });
    });
    on("reload", function () { logEvent("live", "再読込 / refreshed"); refresh(); });
    on("alert", function (a) {
      addAlert(a, true); logEvent("alert", (a.event || a.hazard) + " " + a.id); warningAreas.load();
    });
    on("warning", function (w) { warningAreas.load(); logEvent("warning", w.title || ""); });
  }

  loadAll();
  loadStatic();
  showUser();
  connect();
})();
