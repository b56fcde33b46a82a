// Retrofit pages: "select all on this page" for the household list. No inline script (CSP).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-check-all]").forEach(function (master) {
      var name = master.getAttribute("data-check-all");
      master.addEventListener("change", function () {
        master.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
          box.checked = master.checked;
        });
      });
    });
  });
})();
