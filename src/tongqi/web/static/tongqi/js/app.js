// TongQi: small progressive enhancements. No inline scripts anywhere (CSP script-src 'self').
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    // Language switch submits on change.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });

    // Phone menu toggle.
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("sidenav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }

    // Confirmation before irreversible actions: <form data-confirm="...">.
    document.addEventListener("submit", function (ev) {
      var form = ev.target;
      var msg = form.getAttribute && form.getAttribute("data-confirm");
      if (msg && !window.confirm(msg)) { ev.preventDefault(); }
    }, true);

    // Filters: auto-submit selects marked data-autosubmit-filter.
    document.querySelectorAll("[data-autosubmit-filter]").forEach(function (el) {
      el.addEventListener("change", function () { el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit(); });
    });

    // Kiosk: after a period without input, sign out whoever used the terminal (a POST, with
    // the CSRF token) and go back to the start page.
    var body = document.body;
    var reset = body.getAttribute("data-kiosk-reset");
    if (reset) {
      var idle = parseInt(body.getAttribute("data-kiosk-idle") || "120", 10) * 1000;
      var timer;
      var leave = function () {
        var form = document.getElementById("kiosk-reset");
        if (form) { form.submit(); } else { window.location.assign(reset); }
      };
      var arm = function () {
        clearTimeout(timer);
        timer = setTimeout(leave, idle);
      };
      ["click", "keydown", "touchstart", "input"].forEach(function (t) { document.addEventListener(t, arm, { passive: true }); });
      arm();
    }

    // Print buttons.
    document.querySelectorAll("[data-print]").forEach(function (el) {
      el.addEventListener("click", function () { window.print(); });
    });
  });
})();
