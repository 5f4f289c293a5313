/* Command-center page: map layers, filters, live updates over SSE, triage panel; the evacuation panel is
   evacuation.js, started from here. */
"use strict";
(function () {
  var S = BW.settings();
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var user = S.user || null;
  var userMunicipality = S.userMunicipality || null;
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
    cameras: L.layerGroup().addTo(map), openShelters: L.layerGroup().addTo(map), shelters: L.layerGroup()
  };
  var overlays = {
    "インシデント / Incidents": layers.incidents, "投稿 / Flagged posts": layers.posts,
    "警報 / Warnings": layers.warnings, "水位 / Gauges": layers.gauges,
    "カメラ / Cameras": layers.cameras, "開設避難所 / Open shelters": layers.openShelters,
    "指定避難所（全て）/ All designated shelters": layers.shelters
  };
  var tiles = BW.maps.map.tiles;
  if (tiles) { overlays["地理院タイル / online tiles"] = tiles; }
  var small = window.matchMedia("(max-width: 800px)").matches;
  L.control.layers(null, overlays, { collapsed: small }).addTo(map);
  /* What the shelter pins mean: the status is a letter and a pattern, not only a colour. */
  var legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    var box = BW.el("div", "map-legend");
    box.appendChild(BW.el("span", null, "避難所 / Shelters: "));
    [["open", "開", "開設 / open"], ["full", "満", "満員 / full"]].forEach(function (k) {
      box.appendChild(BW.el("span", "shelter-pin shelter-" + k[0], k[1])).setAttribute("aria-hidden", "true");
      box.appendChild(BW.el("span", null, " " + k[2] + " "));
    });
    return box;
  };
  legend.addTo(map);
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
  var SHELTER_STATUS = { open: "開設 / open", full: "満員 / full", closed: "閉鎖・未開設 / closed" };
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
      if (!r.ok) { var err = new Error(url + ": " + r.status); err.status = r.status; throw err; }
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
    li.appendChild(BW.speakButton("/api/alerts/" + encodeURIComponent(a.id) + "/speech.wav?lang=ja", "読み上げ / Listen"));
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
    loadOpenShelters();
  }
  function shelterPopup(p) {
    return BW.popup(p.name, [["状態 / status", SHELTER_STATUS[p.status] || SHELTER_STATUS.closed],
      ["更新 / updated", jst(p.status_updated)], ["住所 / address", p.address],
      ["対象 / designated for", hazardsText(p.hazards)], ["備考 / note", p.note]]);
  }
  function hazardsText(list) { return (list || []).map(hazardName).join(", "); }
  /* Open and full shelters: pins marked 開 / 満, on by default, re-read on every shelter event. */
  function loadOpenShelters() {
    return fetchJson("/api/shelters?open=1&limit=2000").then(function (fc) {
      layers.openShelters.clearLayers();
      fc.features.forEach(function (f) {
        var p = f.properties, at = BW.point(f);
        if (!at) { return; }
        var full = p.status === "full";
        var pin = BW.el("span", "shelter-pin shelter-" + (full ? "full" : "open"), full ? "満" : "開");
        pin.setAttribute("data-shelter-id", p.id);
        L.marker(at, { icon: L.divIcon({ html: pin, className: "shelter-icon", iconSize: [22, 22] }), keyboard: false,
                       title: p.name + " — " + SHELTER_STATUS[p.status], zIndexOffset: 500 })
          .bindPopup(function () { return shelterPopup(p); }).addTo(layers.openShelters);
      });
      map.getContainer().setAttribute("data-open-shelters", String(fc.features.length));
    }).catch(console.error);
  }
  function loadShelters() {
    sheltersLoaded = true;
    fetchJson("/api/shelters?limit=5000").then(function (fc) {
      layers.shelters.clearLayers();
      fc.features.forEach(function (f) {
        var p = f.properties, opened = p.status === "open" || p.status === "full";
        L.circleMarker(BW.point(f), { radius: opened ? 5 : 3, color: "#1b5e20", weight: 1, fillOpacity: 0.9,
                                      fillColor: p.status === "full" ? "#ffa000" : opened ? "#2e7d32" : "#a5d6a7" })
          .bindPopup(function () { return shelterPopup(p); })
          .addTo(layers.shelters);
      });
    }).catch(function (err) { sheltersLoaded = false; console.error(err); });
  }

  /* Triage panel (issue 19 §2). Cards are patched in place from live events, never rebuilt as a whole, so a
     reason being typed survives another operator's action; drafts keeps reasons across a filter change too.
     Actions remove the card at once and show a toast with undo: a dismiss is undone by reopening it; a confirm
     is held in the page for S.confirmGraceMs before it is sent (undo in that time sends nothing), because an
     alert that reached residents cannot be called back. */
  function post(url, body, keepalive) {
    return fetch(url, { method: "POST", credentials: "same-origin", keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body || {}) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; }); });
  }
  function showUser() {
    if (evac) { evac.onUser(userMunicipality, null); }
    $("login-form").hidden = !!user;
    $("triage-user").hidden = !user;
    $("user-name").textContent = user || "";
    if (user) { loadTriage(); } else { clearQueue(); $("queue-count").textContent = ""; }
  }
  var cards = {};          /* incident id -> { li, f } for the cards on screen */
  var drafts = {};         /* incident id -> reason typed, kept when cards are replaced */
  var pending = {};        /* incident id -> a held confirm { timer, send } */
  var beyond = {};         /* incident id -> counted as hidden by a live update, not yet loaded */
  var queue = { total: 0, nextOffset: null, status: "unverified", seq: 0 };
  var undoStack = [];
  var grace = typeof S.confirmGraceMs === "number" ? S.confirmGraceMs : 10000;
  window.BW_TRIAGE = { marks: [] };  /* timings of actions, read by the browser test */
  var evac = BWEvacuation.start({ settings: S, user: function () { return user; }, post: post, fetchJson: fetchJson,
                                  jst: jst });

  function clearQueue() { $("triage-list").textContent = ""; cards = {}; beyond = {}; }
  function sortKey(p) {
    return [p.stale ? 1 : 0, -(p.severity || 0), -(p.urgency || 0), -Date.parse(p.last_seen || 0), -p.id];
  }
  function before(a, b) {
    var ka = sortKey(a), kb = sortKey(b);
    for (var i = 0; i < ka.length; i++) { if (ka[i] !== kb[i]) { return ka[i] < kb[i]; } }
    return false;
  }
  function showCount() {
    if (!user) { return; }
    var shown = Object.keys(cards).length, hidden = Math.max(0, queue.total - shown);
    $("queue-count").textContent = "— " + queue.total + "件 / items（表示 shown " + shown + "・未表示 hidden " + hidden + "）";
    $("queue-more").hidden = hidden === 0 || queue.nextOffset === null;
    $("queue-more").textContent = "もっと見る / Show more (" + hidden + ")";
    var list = $("triage-list"), empty = list.querySelector("li.empty");
    if (!shown && !empty) { list.appendChild(BW.el("li", "empty", "未確認なし / nothing to triage")); }
    if (shown && empty) { list.removeChild(empty); }
  }
  function queueQuery(offset, limit) {
    var q = query();
    return "/api/triage" + (q || "?") + (q ? "&" : "") + "status=" + queue.status + "&offset=" + offset +
           "&limit=" + (limit || 50);
  }
  function loadTriage() {
    if (!user) { return; }
    var seq = ++queue.seq;
    fetchJson(queueQuery(0)).then(function (fc) {
      if (seq !== queue.seq) { return; }
      clearQueue();
      queue.total = fc.total; queue.nextOffset = fc.next_offset;
      fc.features.forEach(function (f) { if (!pending[f.properties.id]) { placeCard(f, true); } });
      showCount();
    }).catch(function (err) {
      // Only a 401 means the session is gone; a slow or failed request keeps the queue and tries again.
      if (err.status === 401) { user = null; showUser(); return; }
      logEvent("error", String(err.message || err));
      setTimeout(function () { if (seq === queue.seq) { loadTriage(); } }, 3000);
    });
  }
  function loadMore() {
    fetchJson(queueQuery(Object.keys(cards).length)).then(function (fc) {
      queue.total = fc.total; queue.nextOffset = fc.next_offset; beyond = {};
      fc.features.forEach(function (f) { if (!cards[f.properties.id] && !pending[f.properties.id]) { placeCard(f, true); } });
      showCount();
    }).catch(console.error);
  }
  /* Put a card where the queue's order puts it; at the end when it is the last loaded (append). A card updated
     live moves when its severity or activity changes its place, unless the operator is working in it: a card
     does not jump away under the keyboard or a reason being typed. */
  function placeCard(f, append) {
    var p = f.properties, list = $("triage-list"), old = cards[p.id];
    var active = document.activeElement, working = old && old.li.contains(active);
    var typing = working && active.classList.contains("reason");
    var caret = typing ? [active.selectionStart, active.selectionEnd] : null;
    var li = buildCard(f);
    cards[p.id] = { li: li, f: f };
    if (old) {
      if (working || inPlace(old.li, p)) { list.replaceChild(li, old.li); }
      else { list.removeChild(old.li); insertSorted(li, p); }
      if (typing) { active.focus(); active.setSelectionRange(caret[0], caret[1]); }  /* typing goes on */
      else if (working) { li.focus(); }  /* at once: a key pressed now still finds its card */
      return li;
    }
    if (append) { list.appendChild(li); } else { insertSorted(li, p); }
    return li;
  }
  function cardProps(node) {
    var id = node && node.getAttribute("data-incident-id");
    return id && cards[id] ? cards[id].f.properties : null;
  }
  /* Whether a card at ``node`` is still between its neighbours in the queue's order. */
  function inPlace(node, p) {
    var prev = cardProps(node.previousElementSibling), next = cardProps(node.nextElementSibling);
    return !(prev && before(p, prev)) && !(next && before(next, p));
  }
  function insertSorted(li, p) {
    var list = $("triage-list");
    for (var i = 0; i < list.children.length; i++) {
      var node = list.children[i], q = cardProps(node);
      if (node !== li && q && before(p, q)) { list.insertBefore(li, node); return; }
    }
    list.appendChild(li);
  }
  function confidenceText(c) {
    if (c === null || c === undefined) { return "AI —"; }
    return "AI " + Number(c).toFixed(2);
  }
  function sensorItem(s) {
    var li = BW.el("li", "sensor sensor-" + s.kind);
    if (s.kind === "gauge") {
      var text = "水位 " + (s.name || s.id) + (s.river ? "（" + s.river + "）" : "") + " " +
                 (s.level_m === null || s.level_m === undefined ? "—" : Number(s.level_m).toFixed(2) + " m") +
                 (s.warning_level ? " — " + (s.threshold_name || "") + "超 Lv" + s.warning_level : " — 基準未満 / below");
      var box = BW.el("span", null, text);
      if (s.thresholds_m) { box.appendChild(BW.el("span", "thresholds", " 基準 " + thresholdText(s.thresholds_m) + " m")); }
      li.appendChild(box);
    } else if (s.kind === "camera") {
      if (s.thumbnail_url && s.thumbnail_url.indexOf("/cameras/") === 0) {
        var a = BW.el("a"); a.href = s.image_url; a.target = "_blank"; a.rel = "noopener";
        var img = BW.el("img"); img.src = s.thumbnail_url; img.alt = "カメラ / camera " + (s.name || ""); img.loading = "lazy";
        a.appendChild(img); li.appendChild(a);
      }
      li.appendChild(BW.el("span", null, "カメラ " + (s.name || s.id) + " " + jst(s.observed_at) +
                                        (s.status && s.status !== "ok" ? " (" + s.status + ")" : "")));
    } else {
      li.appendChild(BW.el("span", null, "気象庁 / JMA: " + (s.name || s.id)));
    }
    return li;
  }
  function buildCard(f) {
    var p = f.properties, prev = cards[p.id], li = BW.el("li", "triage-item" + (p.stale ? " stale" : ""));
    var wasTicked = {}, wasPicked = {};
    if (prev) {
      prev.li.querySelectorAll("input.judged").forEach(function (t) { wasTicked[t.value] = t.checked; });
      prev.li.querySelectorAll("input.split-pick").forEach(function (t) { wasPicked[t.value] = t.checked; });
    }
    li.setAttribute("data-incident-id", String(p.id));
    li.setAttribute("data-severity", String(p.severity));
    li.setAttribute("data-hazard", String(p.hazard));
    li.setAttribute("data-municipality", String(p.municipality_code || ""));
    li.tabIndex = -1;
    var head = BW.el("div", "card-head");
    var sev = BW.el("span", "sev-badge lv-" + Math.min(5, p.severity || 0), "Lv" + p.severity);
    sev.title = "深刻度 / severity"; head.appendChild(sev);
    var title = [hazardLabels[p.hazard] ? hazardLabels[p.hazard][0] : p.hazard, p.place || p.municipality || "",
                 (p.post_count || 0) + "件 / posts"].join(" · ");
    head.appendChild(BW.el("h3", "card-title", title));
    if (p.stale) { head.appendChild(BW.el("span", "stale-tag", "古い / stale")); }
    li.appendChild(head);
    var meta = BW.el("div", "meta");
    meta.appendChild(BW.el("span", "card-time", jst(p.last_seen)));
    meta.appendChild(document.createTextNode(" · " + [p.municipality, p.place].filter(Boolean).join(" ") + " · "));
    var conf = BW.el("span", "confidence" + (p.confidence !== null && p.confidence < 0.6 ? " low" : ""),
                     confidenceText(p.confidence));
    conf.title = "AIの確信度（最も高い投稿）/ the AI's confidence (highest post)";
    meta.appendChild(conf);
    meta.appendChild(document.createTextNode(" · #" + p.id + (p.status !== "unverified" ? " · " + p.status : "")));
    li.appendChild(meta);
    if ((p.sensors || []).length) {
      var sensors = BW.el("ul", "sensors");
      p.sensors.forEach(function (s) { sensors.appendChild(sensorItem(s)); });
      li.appendChild(sensors);
    }
    var posts = BW.el("ul", "samples");
    // Each post shown is ticked as judged: only ticked posts become training labels with the decision.
    (p.posts || []).forEach(function (s) {
      var item = BW.el("li");
      var pick = BW.el("input", "split-pick"); pick.type = "checkbox"; pick.value = String(s.id);
      pick.checked = !!wasPicked[s.id]; pick.setAttribute("aria-label", "分離する投稿 / split off this post");
      var label = BW.el("label"), tick = BW.el("input", "judged");
      tick.type = "checkbox"; tick.value = String(s.id);
      tick.checked = wasTicked[s.id] === undefined ? true : wasTicked[s.id];
      tick.title = "この投稿を判断した / I judged this post";
      label.appendChild(tick);
      label.appendChild(document.createTextNode(" " + s.author + ": " + s.text + " "));
      label.appendChild(BW.el("span", "post-score", "(" + Number(s.score || 0).toFixed(2) + ", " + jst(s.observed_at) + ")"));
      item.appendChild(pick); item.appendChild(label); posts.appendChild(item);
    });
    li.appendChild(posts);
    var reason = prev ? prev.li.querySelector("input.reason") : null;  /* the same element: focus and caret stay */
    if (!reason) {
      reason = BW.el("input", "reason"); reason.placeholder = "理由 / reason"; reason.maxLength = 500;
      reason.setAttribute("aria-label", "理由 / reason #" + p.id);
      reason.value = drafts[p.id] || "";
      reason.addEventListener("input", function () { drafts[p.id] = reason.value; });
    }
    li.appendChild(reason);
    var actions = BW.el("div", "card-actions");
    var labels = queue.status === "dismissed" ? { reopen: "再開 / Reopen" } :
      { confirm: "確認 / Confirm", dismiss: "却下 / Dismiss", split: "分離 / Split…", "split-go": "選んだ投稿を分離 / Split off",
        merge: "統合 / Merge…" };
    labels.history = "履歴 / History";
    Object.keys(labels).forEach(function (action) {
      var b = BW.el("button", "act act-" + action + (action === "split-go" ? " split-go" : ""), labels[action]);
      b.type = "button"; b.setAttribute("data-action", action);
      b.addEventListener("click", function () { act(p.id, action); });
      actions.appendChild(b);
    });
    li.appendChild(actions);
    li.appendChild(BW.el("ol", "history"));
    if (prev && prev.li.contains(document.activeElement) && document.activeElement !== reason) {
      setTimeout(function () { li.focus(); }, 0);
    }
    return li;
  }
  function judgedOf(li) {
    return Array.prototype.filter.call(li.querySelectorAll("input.judged"), function (t) { return t.checked; })
      .map(function (t) { return Number(t.value); });
  }
  function toast(text, undo, error) {
    var box = BW.el("div", "toast" + (error ? " error" : ""));
    box.appendChild(BW.el("span", null, text));
    var entry = { box: box, undo: undo };
    if (undo) {
      var b = BW.el("button", "undo", "元に戻す / Undo"); b.type = "button";
      b.addEventListener("click", function () { runUndo(entry); });
      box.appendChild(b);
      undoStack.push(entry);
    }
    $("toasts").insertBefore(box, $("toasts").firstChild);
    entry.remove = function () {
      if (box.parentNode) { box.parentNode.removeChild(box); }
      var i = undoStack.indexOf(entry); if (i >= 0) { undoStack.splice(i, 1); }
    };
    setTimeout(entry.remove, Math.max(grace, 8000) + 4000);
    while ($("toasts").children.length > 4) { $("toasts").removeChild($("toasts").lastChild); }
    return entry;
  }
  function runUndo(entry) {
    if (!entry || !entry.undo) { return; }
    var fn = entry.undo; entry.undo = null; entry.remove(); fn();
  }
  function mark(action, id, t0) {
    window.BW_TRIAGE.marks.push({ action: action, id: id, ms: Math.round(performance.now() - t0) });
  }
  /* Take a card off the list and move focus to the next one, so the keyboard goes on working. */
  function takeOut(id) {
    var c = cards[id];
    if (!c) { return null; }
    var next = c.li.nextElementSibling || c.li.previousElementSibling;
    var hadFocus = c.li.contains(document.activeElement);
    c.li.parentNode.removeChild(c.li);
    delete cards[id];
    queue.total = Math.max(0, queue.total - 1);
    showCount();
    if (hadFocus && next && next.classList.contains("triage-item")) { next.focus(); }
    return c;
  }
  function putBack(c) {
    if (!c) { return; }
    queue.total += 1;
    var li = placeCard(c.f, false);
    li.classList.add("flash");
    showCount();
    li.focus();
  }
  /* Patch one card from the server. A new incident that sorts after the loaded pages is only counted as hidden,
     unless ``show``: the card split off by this operator is always shown, where the operator can check it. */
  function refreshCard(id, flash, show) {
    return fetchJson("/api/triage/" + id).then(function (f) {
      var p = f.properties, wanted = queue.status === "dismissed" ? "dismissed" : "unverified";
      if (pending[id]) { return; }
      if (p.status !== wanted || p.merged_into) { if (cards[id]) { takeOut(id); } delete beyond[id]; return; }
      if (!passes(p, [p.hazard])) { return; }
      var isNew = !cards[id];
      var last = $("triage-list").lastElementChild;
      var lastId = last && last.getAttribute("data-incident-id");
      if (isNew && !show && queue.nextOffset !== null && lastId && cards[lastId] &&
          before(cards[lastId].f.properties, p)) {
        if (!beyond[id]) { beyond[id] = true; queue.total += 1; showCount(); }  /* counted as hidden, once */
        return;
      }
      var li = placeCard(f, false);
      if (isNew && !beyond[id]) { queue.total += 1; }
      delete beyond[id];
      if (flash) { li.classList.add("flash"); }
      showCount();
    }).catch(console.error);
  }
  function act(id, action) {
    var c = cards[id];
    if (!c) { return; }
    var li = c.li, t0 = performance.now(), reason = li.querySelector("input.reason").value;
    if (action === "history") { return showHistory(id, li); }
    if (action === "merge") { return openMerge(id, li); }
    if (action === "split") { li.classList.toggle("splitting"); var first = li.querySelector("input.split-pick");
                              if (first && li.classList.contains("splitting")) { first.focus(); } return; }
    if (action === "split-go") { return split(id, li, reason, t0); }
    if (action === "reopen") {
      takeOut(id); mark("reopen", id, t0);
      post("/api/triage/" + id + "/reopen", { reason: reason }).then(function (r) {
        if (!r.ok) { putBack(c); toast("再開できません / reopen failed #" + id + ": " + (r.body.error || r.status), null, true); return; }
        toast("再開しました / reopened #" + id);
      });
      return;
    }
    var body = { reason: reason, posts: judgedOf(li) };
    takeOut(id);
    mark(action, id, t0);
    delete drafts[id];
    if (action === "dismiss") {
      post("/api/triage/" + id + "/dismiss", body).then(function (r) {
        logEvent("triage", "dismiss #" + id + (r.ok ? " ok" : " " + (r.body.error || r.status)));
        if (!r.ok) { putBack(c); toast("却下できません / dismiss failed #" + id + ": " + (r.body.error || r.status), null, true); }
      });
      toast("却下しました / dismissed #" + id, function () {
        var t1 = performance.now();
        post("/api/triage/" + id + "/reopen", { reason: "取り消し / undo" }).then(function (r) {
          if (r.ok) { putBack(c); mark("undo-dismiss", id, t1); refreshCard(id, true); }
          else { toast("元に戻せません / undo failed: " + (r.body.error || r.status), null, true); }
        });
      });
      return;
    }
    /* confirm: held for the grace period, then sent; undo in that time sends nothing */
    var held = { send: function () {
      clearTimeout(held.timer); delete pending[id];
      post("/api/triage/" + id + "/confirm", body, true).then(function (r) {
        logEvent("triage", "confirm #" + id + (r.ok ? " ok" : " " + (r.body.error || r.status)));
        if (r.ok) { if (entry.box.firstChild) { entry.box.firstChild.textContent = "確認・送信済み / confirmed and sent #" + id; } }
        else { putBack(c); toast("確認できません / confirm failed #" + id + ": " + (r.body.error || r.status), null, true); }
        entry.undo = null; var b = entry.box.querySelector("button.undo"); if (b) { b.remove(); }
      });
    } };
    pending[id] = held;
    held.timer = setTimeout(held.send, grace);
    var entry = toast("確認 #" + id + " — " + Math.round(grace / 1000) + "秒後に住民へ送信 / alert sent in " +
                      Math.round(grace / 1000) + " s", function () {
      clearTimeout(held.timer); delete pending[id]; putBack(c); mark("undo-confirm", id, performance.now());
      toast("確認を取り消しました（未送信）/ confirm undone, nothing sent #" + id);
    });
  }
  /* A page closed during the grace period still sends what the operator confirmed. */
  window.addEventListener("pagehide", function () {
    Object.keys(pending).forEach(function (id) { pending[id].send(); });
  });
  function split(id, li, reason, t0) {
    var picked = Array.prototype.filter.call(li.querySelectorAll("input.split-pick"), function (t) { return t.checked; })
      .map(function (t) { return Number(t.value); });
    if (!picked.length) { toast("分離する投稿を選んでください / choose the posts to split off", null, true); return; }
    post("/api/triage/" + id + "/split", { reason: reason, posts: picked }).then(function (r) {
      if (!r.ok) { toast("分離できません / split failed: " + (r.body.error || r.status), null, true); return; }
      var newId = r.body.split.properties.id;
      li.classList.remove("splitting");
      Promise.all([refreshCard(id, true), refreshCard(newId, true, true)]).then(function () {
        mark("split", id, t0);
        logEvent("triage", "split #" + id + " → #" + newId);
      });
      toast("分離しました / split off #" + newId + " from #" + id, function () {
        post("/api/triage/" + newId + "/merge", { into: id, reason: "分離の取り消し / undo split" }).then(function (m) {
          if (m.ok) { if (cards[newId]) { takeOut(newId); } refreshCard(id, true); }
          else { toast("元に戻せません / undo failed: " + (m.body.error || m.status), null, true); }
        });
      });
    });
  }
  function showHistory(id, li) {
    var box = li.querySelector("ol.history");
    if (box.children.length) { box.textContent = ""; return; }
    fetchJson("/api/triage/" + id + "/events").then(function (trail) {
      box.textContent = "";
      trail.events.forEach(function (e) {
        box.appendChild(BW.el("li", null, jst(e.at) + " " + e.actor + " " + e.action + (e.reason ? " — " + e.reason : "")));
      });
      if (!trail.events.length) { box.appendChild(BW.el("li", null, "操作なし / no actions yet")); }
    }).catch(console.error);
  }
  /* One shared merge search for all cards, instead of a 199-option menu on each. */
  var mergeFrom = null, mergeTimer = null;
  function openMerge(id, li) {
    var box = $("merge-box");
    mergeFrom = id;
    li.appendChild(box);
    box.hidden = false;
    $("merge-search").value = "";
    $("merge-results").textContent = "";
    $("merge-search").focus();
    searchMerge();
  }
  function closeMerge() {
    var box = $("merge-box"), from = mergeFrom && cards[mergeFrom];
    box.hidden = true; mergeFrom = null;
    $("triage").insertBefore(box, $("triage-list"));
    if (from) { from.li.focus(); }
  }
  function searchMerge() {
    var text = $("merge-search").value.trim(), from = mergeFrom;
    fetchJson("/api/triage?status=open&limit=10" + (text ? "&q=" + encodeURIComponent(text) : "")).then(function (fc) {
      if (from !== mergeFrom) { return; }
      var list = $("merge-results"); list.textContent = "";
      fc.features.forEach(function (f) {
        var p = f.properties;
        if (p.id === from) { return; }
        var b = BW.el("button", null, "#" + p.id + " " + hazardName(p.hazard) + " · " + (p.place || "") + " · " +
                      p.post_count + "件 (" + p.status + ")");
        b.type = "button";
        b.addEventListener("click", function () { merge(from, p.id); });
        list.appendChild(BW.el("li")).appendChild(b);
      });
      if (!list.children.length) { list.appendChild(BW.el("li", "empty", "該当なし / no match")); }
    }).catch(console.error);
  }
  function merge(id, into) {
    var c = cards[id], t0 = performance.now(), reason = c ? c.li.querySelector("input.reason").value : "";
    closeMerge();
    takeOut(id); mark("merge", id, t0);
    post("/api/triage/" + id + "/merge", { into: into, reason: reason }).then(function (r) {
      if (!r.ok) { putBack(c); toast("統合できません / merge failed: " + (r.body.error || r.status), null, true); return; }
      toast("#" + id + " を #" + into + " に統合しました / merged");
      if (cards[into]) { refreshCard(into, true); }
    });
  }
  $("merge-search").addEventListener("input", function () { clearTimeout(mergeTimer); mergeTimer = setTimeout(searchMerge, 200); });
  $("merge-cancel").addEventListener("click", closeMerge);
  $("merge-box").addEventListener("keydown", function (ev) { if (ev.key === "Escape") { ev.preventDefault(); closeMerge(); } });
  $("queue-more").addEventListener("click", loadMore);
  $("q-status").addEventListener("change", function () { queue.status = $("q-status").value; loadTriage(); });

  /* Keyboard: j/k (or arrows) move between cards, c confirm, d dismiss, s split, m merge, r reason, u undo. */
  function currentCard() {
    var a = document.activeElement;
    return a && a.closest ? a.closest("#triage-list > li.triage-item") : null;
  }
  function moveFocus(step) {
    var items = Array.prototype.slice.call($("triage-list").querySelectorAll(":scope > li.triage-item"));
    if (!items.length) { return; }
    var i = items.indexOf(currentCard());
    var next = items[i < 0 ? 0 : Math.max(0, Math.min(items.length - 1, i + step))];
    next.focus(); next.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (ev) {
    if (!user || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var t = ev.target, typing = t && (t.tagName === "INPUT" && t.type !== "checkbox" || t.tagName === "TEXTAREA" ||
                                      t.tagName === "SELECT");
    if (t && t.closest && t.closest("#evac")) { return; }  /* the evacuation panel: its keys are its own */
    if (typing) {
      if (ev.key === "Escape" && t.classList.contains("reason")) { var card = currentCard(); if (card) { card.focus(); } }
      return;
    }
    var li = currentCard(), id = li && Number(li.getAttribute("data-incident-id"));
    var keys = { j: function () { moveFocus(1); }, ArrowDown: function () { moveFocus(1); },
                 k: function () { moveFocus(-1); }, ArrowUp: function () { moveFocus(-1); },
                 u: function () { runUndo(undoStack[undoStack.length - 1]); } };
    if (li) {
      keys.c = function () { act(id, queue.status === "dismissed" ? "reopen" : "confirm"); };
      keys.d = function () { if (queue.status !== "dismissed") { act(id, "dismiss"); } };
      keys.s = function () { act(id, li.classList.contains("splitting") ? "split-go" : "split"); };
      keys.m = function () { act(id, "merge"); };
      keys.h = function () { act(id, "history"); };
      keys.r = function () { li.querySelector("input.reason").focus(); };
    }
    if (keys[ev.key] && !(li && ev.key.indexOf("Arrow") === 0 && t.tagName === "INPUT")) { ev.preventDefault(); keys[ev.key](); }
  });
  $("skip-queue").addEventListener("click", function (ev) {
    ev.preventDefault();
    selectTab("triage");
    var first = $("triage-list").querySelector("li.triage-item");
    (first || $("triage-list")).focus();
  });
  /* Tabs on small screens: Triage / Evacuation / Alerts / Live */
  function selectTab(name) {
    if (name === "evac") { evac.open(); }
    ["triage", "evac", "alerts", "live"].forEach(function (n) {
      $(n).classList.toggle("active", n === name);
    });
    document.querySelectorAll(".tabs [role=tab]").forEach(function (b) {
      b.setAttribute("aria-selected", String(b.getAttribute("aria-controls") === name));
    });
  }
  document.querySelectorAll(".tabs [role=tab]").forEach(function (b) {
    b.addEventListener("click", function () { selectTab(b.getAttribute("aria-controls")); });
  });
  var refreshTimers = {};
  function onIncidentEvent(f) {
    if (!user) { return; }
    var id = f.properties.id, wanted = queue.status === "dismissed" ? "dismissed" : "unverified";
    if (cards[id] && (f.properties.status !== wanted || f.properties.merged_into)) { takeOut(id); return; }
    if (f.properties.status !== wanted || pending[id]) { return; }
    clearTimeout(refreshTimers[id]);
    refreshTimers[id] = setTimeout(function () { delete refreshTimers[id]; refreshCard(id, true); }, 300);
  }
  $("login-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var form = ev.target;
    post("/login", { username: form.username.value, password: form.password.value }).then(function (r) {
      if (r.ok) {
        user = r.body.user; csrf = r.body.csrf; userMunicipality = r.body.municipality || null;
        form.password.value = ""; $("login-error").textContent = "";
      }
      else { $("login-error").textContent = r.status === 429 ? "too many attempts" : "ログインできません / login failed"; }
      showUser();
      if (r.ok) { loadAll(); connect(); }  /* the operators' view: posts, unverified incidents */
    });
  });
  $("logout").addEventListener("click", function () {
    post("/logout").then(function () { return fetchJson("/api/session"); }).then(function (s) {
      csrf = s.csrf; user = s.user; userMunicipality = s.municipality || null; showUser(); loadAll(); connect();
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
      upsertIncident(f); logEvent("incident", f.properties.title + " (" + f.properties.status + ")"); onIncidentEvent(f);
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
    on("evacuation", function (f) {
      var p = (f && f.properties) || {};
      evac.onEvacuation(); warningAreas.load();
      logEvent("evacuation", [p.municipality, p.level ? "Lv" + p.level : "", p.name, p.lifted ? "解除" : ""].join(" "));
    });
    on("shelter", function (f) {
      var p = (f && f.properties) || {};
      evac.onShelter(f); loadOpenShelters();
      logEvent("shelter", (p.name || "") + " " + (SHELTER_STATUS[p.status] || ""));
    });
  }

  loadAll();
  loadStatic();
  showUser();
  connect();
})();
