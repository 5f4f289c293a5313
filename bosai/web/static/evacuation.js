/* Command center: the evacuation panel (issue 18 §1). An operator records a municipality's evacuation
   information (発令, a new level, 解除) and sets shelters open, full or closed; the orders in force and the latest
   audit entries sit beside the form. The server decides who may act for which municipality; the page only
   offers what the account allows, so a municipal operator is never offered a choice the server refuses.
   Every text from the server goes in with textContent. */
"use strict";
var BWEvacuation = (function () {
  var LEVELS = { 3: "高齢者等避難", 4: "避難指示", 5: "緊急安全確保" };
  var STATUS = { open: "開設 / open", full: "満員 / full", closed: "閉鎖・未開設 / closed" };
  var ACTIONS = { issue: "発令 / issued", raise: "引き上げ / raised", lower: "引き下げ / lowered", lift: "解除 / lifted",
                  shelter_status: "避難所 / shelter" };

  /* api: settings, user() and post/fetchJson/jst of the page (the CSRF token changes on login). */
  function start(api) {
    var S = api.settings;
    var reasons = {};
    (S.evacuationReasons || []).forEach(function (r) { reasons[r[0]] = r[1] + " / " + r[2]; });
    var scope = S.userMunicipality || null;
    var clockOffset = 0;    /* the service clock minus this browser's (the demo replays another day) */
    var timeTouched = false;
    var shelterRows = {};   /* shelter id -> its row in the search results */
    window.BW_EVAC = { marks: [] };  /* when entries were sent, read by the browser test */

    function $(id) { return document.getElementById(id); }
    function setClock(iso) { var t = Date.parse(iso || ""); if (!isNaN(t)) { clockOffset = t - Date.now(); } }
    setClock(S.now);
    /* The service's now as a datetime-local value in Japan time: shift by 9 h and read the UTC fields. */
    function serviceNow() { return new Date(Date.now() + clockOffset + 9 * 3600 * 1000).toISOString().slice(0, 16); }
    function resetTime() { $("evac-time").value = serviceNow(); timeTouched = false; }
    function allowed(code) { return !!api.user() && (!scope || scope === code); }
    function say(text, error) {
      var box = $("evac-result");
      box.textContent = text;
      box.classList.toggle("error", !!error);
    }
    function fillMunicipalities(select, withAll) {
      var keep = select.value;
      select.textContent = "";
      if (withAll && !scope) { select.appendChild(BW.el("option", null, "すべて / all")).value = ""; }
      (S.municipalities || []).forEach(function (m) {
        if (!scope || m[0] === scope) { select.appendChild(BW.el("option", null, m[1] + " (" + m[0] + ")")).value = m[0]; }
      });
      if (keep && select.querySelector('option[value="' + CSS.escape(keep) + '"]')) { select.value = keep; }
    }
    function levelBadge(level) {
      return BW.el("span", "sev-badge lv-" + level, "Lv" + level + " " + (LEVELS[level] || ""));
    }

    /* Orders in force: everyone sees them; an operator allowed for the municipality may lift one. */
    function loadInForce() {
      return api.fetchJson("/api/evacuations").then(function (fc) {
        var list = $("evac-list");
        list.textContent = "";
        fc.features.forEach(function (f) { list.appendChild(orderItem(f.properties)); });
        if (!fc.features.length) { list.appendChild(BW.el("li", "empty", "発令中の避難情報なし / none in force")); }
        $("evac-count").textContent = fc.features.length ? "— 発令中 " + fc.features.length + "件 / in force" : "";
      }).catch(console.error);
    }
    function orderItem(p) {
      var li = BW.el("li", "evac-item");
      li.setAttribute("data-municipality", p.municipality_code);
      li.setAttribute("data-level", String(p.level));
      li.appendChild(levelBadge(p.level));
      var towns = (p.towns || []).length ? p.towns.join("、") : "全域 / whole area";
      li.appendChild(BW.el("span", "evac-where", " " + p.municipality + " " + towns));
      li.appendChild(BW.el("span", "alert-time", " · " + (reasons[p.hazard] || p.hazard || "") + " · " + api.jst(p.issued) +
                                              " · " + (p.received_via || "")));
      if (allowed(p.municipality_code)) {
        var b = BW.el("button", "evac-lift", "解除 / Lift");
        b.type = "button";
        b.setAttribute("aria-label", "解除 / Lift: " + p.municipality + " " + towns);
        b.addEventListener("click", function () { lift(p, b); });
        li.appendChild(b);
      }
      return li;
    }
    /* 解除 tells residents the danger is over: the first press only arms the button, the second sends. */
    function lift(p, button) {
      if (button.getAttribute("data-armed") !== "1") {
        button.setAttribute("data-armed", "1");
        button.textContent = "解除を確定 / Confirm lift";
        setTimeout(function () {
          if (button.isConnected) { button.removeAttribute("data-armed"); button.textContent = "解除 / Lift"; }
        }, 6000);
        return;
      }
      button.disabled = true;
      api.post("/api/evacuations", { municipality_code: p.municipality_code, action: "lift", towns: p.towns || [] })
        .then(function (r) {
          if (r.ok) { say("解除しました / lifted: " + p.municipality); } else { say(failure(r), true); button.disabled = false; }
          loadInForce(); loadAudit();
        });
    }
    function failure(r) {
      var why = (r.body && r.body.error) || String(r.status);
      return (r.status === 403 ? "権限がありません / not allowed: " : "できませんでした / failed: ") + why;
    }
    function issue(ev) {
      ev.preventDefault();
      var code = $("evac-muni").value, level = Number($("evac-level").value);
      var towns = $("evac-towns").value.split(/[、,，\s]+/).filter(Boolean);
      var body = { municipality_code: code, level: level, towns: towns, hazard: $("evac-hazard").value };
      if (timeTouched && $("evac-time").value) { body.issued = $("evac-time").value + ":00+09:00"; }
      $("evac-submit").disabled = true;
      window.BW_EVAC.marks.push({ action: "issue", at: Date.now(), municipality: code, level: level });
      api.post("/api/evacuations", body).then(function (r) {
        window.BW_EVAC.marks.push({ action: "answered", at: Date.now(), status: r.status });
        $("evac-submit").disabled = false;
        if (r.status === 201) {
          say("発令しました / issued: " + (r.body.evacuation ? r.body.evacuation.properties.municipality : code) +
              " Lv" + level + " " + LEVELS[level]);
          $("evac-towns").value = "";
          resetTime();
        } else if (r.status === 200) {
          say("すでに発令中です / already in force");
        } else {
          say(failure(r), true);
        }
        loadInForce(); loadAudit();
      }).catch(function (err) { $("evac-submit").disabled = false; say(String(err), true); });
    }

    /* Shelters: found by municipality and part of the name or address, then set with one of three buttons. */
    function searchShelters(ev) {
      if (ev) { ev.preventDefault(); }
      var q = ["limit=20"], muni = $("shelter-muni").value, text = $("shelter-q").value.trim();
      if (muni) { q.push("municipality=" + encodeURIComponent(muni)); }
      if (text) { q.push("q=" + encodeURIComponent(text)); }
      if ($("shelter-open-only").checked) { q.push("open=1"); }
      return api.fetchJson("/api/shelters?" + q.join("&")).then(function (fc) {
        var list = $("shelter-results");
        list.textContent = ""; shelterRows = {};
        fc.features.forEach(function (f) { list.appendChild(shelterRow(f.properties)); });
        if (!fc.features.length) { list.appendChild(BW.el("li", "empty", "該当なし / no match")); }
      }).catch(function (err) { say(String(err), true); });
    }
    function shelterRow(p) {
      var li = BW.el("li", "shelter-row"), nameId = "shelter-name-" + p.id;
      li.setAttribute("data-shelter-id", p.id);
      var name = BW.el("strong", null, p.name);
      name.id = nameId;
      li.appendChild(name);
      li.appendChild(BW.el("span", "shelter-status", ""));
      li.appendChild(BW.el("div", "alert-time", p.municipality + " " + (p.address || "")));
      var buttons = BW.el("div", "card-actions");
      ["open", "full", "closed"].forEach(function (status) {
        var b = BW.el("button", "shelter-set set-" + status, { open: "開設 / Open", full: "満員 / Full",
                                                             closed: "閉鎖 / Close" }[status]);
        b.type = "button";
        b.setAttribute("data-status", status);
        b.setAttribute("aria-describedby", nameId);
        b.disabled = !allowed(p.municipality_code);
        b.addEventListener("click", function () { setShelter(p, status); });
        buttons.appendChild(b);
      });
      li.appendChild(buttons);
      shelterRows[p.id] = li;
      showStatus(p.id, p.status || "closed");
      return li;
    }
    function showStatus(id, status) {
      var li = shelterRows[id];
      if (!li) { return; }
      li.setAttribute("data-status", status);
      var tag = li.querySelector(".shelter-status");
      tag.className = "shelter-status st-" + status;
      tag.textContent = " " + STATUS[status] + " ";
      li.querySelectorAll("button.shelter-set").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-status") === status));
      });
    }
    function setShelter(p, status) {
      window.BW_EVAC.marks.push({ action: "shelter", at: Date.now(), shelter: p.id, status: status });
      api.post("/api/shelters/" + encodeURIComponent(p.id) + "/status", { status: status }).then(function (r) {
        if (!r.ok) { say(failure(r), true); return; }
        showStatus(p.id, status);
        say((r.body.changed ? "変更しました / set: " : "変更なし / unchanged: ") + p.name + " — " + STATUS[status]);
        loadAudit();
      });
    }

    /* Audit: who changed what, when, and the state before and after (operators only). */
    function state(entity, s) {
      if (!s) { return "—"; }
      if (entity === "shelter") { return STATUS[s.status] || s.status; }
      return s.lifted_at ? "解除 / lifted" : "Lv" + s.level;
    }
    function loadAudit() {
      if (!api.user() || !$("evac-box").open) { return Promise.resolve(); }
      return api.fetchJson("/api/audit?limit=10").then(function (data) {
        var list = $("audit-list");
        list.textContent = "";
        data.entries.forEach(function (e) {
          var li = BW.el("li", "audit-item");
          li.appendChild(BW.el("span", "alert-time", api.jst(e.at) + " "));
          li.appendChild(BW.el("span", "audit-actor", e.actor + " "));
          li.appendChild(BW.el("span", null, (ACTIONS[e.action] || e.action) + " " + e.label + ": " +
                                             state(e.entity, e.before) + " → " + state(e.entity, e.after)));
          list.appendChild(li);
        });
        if (!data.entries.length) { list.appendChild(BW.el("li", "empty", "変更なし / no changes yet")); }
      }).catch(console.error);
    }

    /* A login, a logout, or the first load: show the forms that this account may use. */
    function onUser(municipality, now) {
      var user = api.user();
      scope = user ? (municipality || null) : null;
      if (now) { setClock(now); }
      $("evac-form").hidden = !user;
      $("shelter-form").hidden = !user;
      $("audit-h").hidden = !user;
      $("audit-list").hidden = !user;
      $("evac-login").hidden = !!user;
      if (!user) { $("shelter-results").textContent = ""; $("audit-list").textContent = ""; say(""); }
      fillMunicipalities($("evac-muni"), false);
      fillMunicipalities($("shelter-muni"), true);
      if (!timeTouched) { resetTime(); }
      loadInForce(); loadAudit();
    }

    var hazardSelect = $("evac-hazard");
    (S.evacuationReasons || []).forEach(function (r) {
      hazardSelect.appendChild(BW.el("option", null, r[1] + " / " + r[2])).value = r[0];
    });
    $("evac-time").addEventListener("input", function () { timeTouched = true; });
    $("evac-now").addEventListener("click", resetTime);
    $("evac-form").addEventListener("submit", issue);
    $("shelter-form").addEventListener("submit", searchShelters);
    $("evac-box").addEventListener("toggle", function () {
      if ($("evac-box").open) { if (!timeTouched) { resetTime(); } loadAudit(); }
    });

    return {
      onUser: onUser,
      open: function () { $("evac-box").open = true; },
      onEvacuation: function () { loadInForce(); loadAudit(); },
      onShelter: function (f) {
        var p = (f && f.properties) || {};
        if (p.id && p.status) { showStatus(p.id, p.status); }
        loadAudit();
      }
    };
  }
  return { start: start };
})();
