// The application form: appliance rows (add, remove), a live peak-load total, "use my location".
// Progressive enhancement only: without JavaScript the "add" button re-renders on the server,
// the total is computed on the server, and the location can be typed. No inline scripts (CSP).
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  // Decimal strings → thousandths as integers, so 0.1 + 0.2 adds up exactly like the server.
  function thousandths(text) {
    var m = /^\s*(\d{1,9})(?:\.(\d{0,3}))?\s*$/.exec(text || "");
    if (!m) { return null; }
    return parseInt(m[1], 10) * 1000 + parseInt(((m[2] || "") + "000").slice(0, 3), 10);
  }

  function format(milli) {
    var whole = Math.floor(milli / 1000);
    var frac = String(milli % 1000);
    while (frac.length < 3) { frac = "0" + frac; }
    frac = frac.replace(/0+$/, "");
    return frac ? whole + "." + frac : String(whole);
  }

  ready(function () {
    document.querySelectorAll(".js-only").forEach(function (el) { el.classList.add("js-on"); });

    var box = document.querySelector("[data-appliance-rows]");
    var out = document.querySelector("[data-peak-load]");
    var total = document.getElementById("id_appliances-TOTAL_FORMS");
    var tpl = document.getElementById("appliance-template");

    function recompute() {
      if (!box || !out) { return; }
      var sum = 0;
      box.querySelectorAll("[data-appliance-row]").forEach(function (row) {
        var flow = thousandths((row.querySelector("[data-flow]") || {}).value);
        var countText = ((row.querySelector("[data-count]") || {}).value || "1").trim() || "1";
        var count = /^\d{1,3}$/.test(countText) ? parseInt(countText, 10) : null;
        if (flow !== null && count) { sum += flow * count; }
      });
      out.textContent = format(sum);
    }

    if (box) {
      box.addEventListener("input", recompute);
      box.addEventListener("click", function (ev) {
        var btn = ev.target.closest("[data-remove-row]");
        if (!btn) { return; }
        var row = btn.closest("[data-appliance-row]");
        // Formset indices stay contiguous: a cleared row is ignored by the server.
        row.querySelectorAll("input").forEach(function (i) { i.value = ""; });
        row.hidden = true;
        recompute();
      });
    }

    var add = document.querySelector("[data-add-row]");
    if (add && box && total && tpl) {
      add.addEventListener("click", function (ev) {
        var n = parseInt(total.value, 10);
        if (n >= 50) { return; }
        ev.preventDefault();
        var html = tpl.innerHTML.replace(/__prefix__/g, String(n));
        box.insertAdjacentHTML("beforeend", html);
        total.value = String(n + 1);
        var rows = box.querySelectorAll("[data-appliance-row]");
        var last = rows[rows.length - 1];
        last.querySelectorAll(".js-only").forEach(function (el) { el.classList.add("js-on"); });
        var count = last.querySelector("[data-count]");
        if (count && !count.value) { count.value = "1"; }
        var first = last.querySelector("input");
        if (first) { first.focus(); }
      });
    }

    var geo = document.querySelector("[data-geolocate]");
    var status = document.querySelector("[data-geolocate-status]");
    if (geo && navigator.geolocation) {
      geo.addEventListener("click", function () {
        if (status) { status.textContent = geo.getAttribute("data-wait") || "…"; }
        navigator.geolocation.getCurrentPosition(function (pos) {
          document.getElementById("id_latitude").value = pos.coords.latitude.toFixed(6);
          document.getElementById("id_longitude").value = pos.coords.longitude.toFixed(6);
          var cs = document.getElementById("id_coord_system");
          if (cs) { cs.value = "wgs84"; }  // the browser gives GPS (WGS-84) coordinates
          if (status) { status.textContent = "✓"; }
        }, function () {
          if (status) { status.textContent = geo.getAttribute("data-fail") || "✕"; }
        }, { enableHighAccuracy: true, timeout: 15000 });
      });
    }
    recompute();
  });
})();
