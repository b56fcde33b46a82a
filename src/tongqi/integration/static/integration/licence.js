// Licence sharing (证照共享): after the licence fragment is swapped in by HTMX, copy each
// value marked data-licence-field="x" into the input marked data-licence="x" of the same form
// (or of the page). Load with <script src="{% static 'integration/licence.js' %}" defer>.
(function () {
  "use strict";

  function fill(fragment) {
    var values = fragment.querySelectorAll("[data-licence-field]");
    if (!values.length) { return; }
    var scope = fragment.closest("form") || document;
    values.forEach(function (el) {
      var name = el.getAttribute("data-licence-field");
      var value = (el.textContent || "").trim();
      scope.querySelectorAll('[data-licence="' + name + '"]').forEach(function (input) {
        if (value && "value" in input) {
          input.value = value;
          input.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
    });
  }

  document.addEventListener("htmx:afterSwap", function (ev) {
    var target = ev.detail && ev.detail.target;
    if (target) { fill(target); }
  });
})();
