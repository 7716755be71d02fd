/* owm ward pages: small progressive enhancements. Every page works without this file
   (forms post and the server answers with a full page); with it:
   - the ward clock in the top bar ticks (ward time zone, 24-hour clock);
   - withdrawal forms show their running total and band as values are chosen;
   - buttons with data-confirm open a confirmation dialog before their form is sent. */
(function () {
  "use strict";

  function tickClock() {
    var el = document.getElementById("ward-clock");
    if (!el || !window.Intl) { return; }
    var tz = el.getAttribute("data-tz") || "UTC";
    var fmt;
    try {
      fmt = new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    } catch (e) { return; }
    function update() {
      var now = new Date();
      el.textContent = fmt.format(now);
      el.setAttribute("datetime", now.toISOString());
    }
    update();
    window.setInterval(update, 15000);
  }

  /* A form with data-instrument carries its bands in data-bands as "name:low:high,..."
     and its number of items in data-items; every radio group adds its checked value. */
  function bandFor(bands, total) {
    for (var i = 0; i < bands.length; i++) {
      if (total >= bands[i].low && total <= bands[i].high) { return bands[i].name; }
    }
    return "";
  }

  function runningTotals(root) {
    var forms = (root || document).querySelectorAll("form[data-instrument]");
    Array.prototype.forEach.call(forms, function (form) {
      if (form.getAttribute("data-total-ready")) { return; }
      form.setAttribute("data-total-ready", "1");
      var bands = (form.getAttribute("data-bands") || "").split(",").filter(Boolean).map(function (b) {
        var p = b.split(":");
        return { name: p[0], low: parseInt(p[1], 10), high: parseInt(p[2], 10) };
      });
      var items = parseInt(form.getAttribute("data-items") || "0", 10);
      var totalEl = form.querySelector("[data-total]");
      var bandEl = form.querySelector("[data-band]");
      var countEl = form.querySelector("[data-answered]");
      function update() {
        var total = 0, answered = 0;
        var checked = form.querySelectorAll("input[type=radio][data-item]:checked");
        Array.prototype.forEach.call(checked, function (input) {
          total += parseInt(input.value, 10);
          answered += 1;
        });
        if (totalEl) { totalEl.textContent = String(total); }
        if (countEl) { countEl.textContent = answered + " of " + items + " items"; }
        if (bandEl) {
          var band = bands.length ? bandFor(bands, total) : "";
          if (answered === 0) {
            bandEl.textContent = "no item scored yet";
          } else if (answered < items) {
            bandEl.textContent = band ? "so far: " + band.replace(/-/g, " ") : "incomplete";
          } else {
            bandEl.textContent = band ? band.replace(/-/g, " ") : "complete";
          }
          bandEl.className = "badge band" + (band ? " band-" + band : "");
        }
      }
      form.addEventListener("change", update);
      update();
    });
  }

  /* <button data-confirm="dialog-id"> opens that <dialog>; its confirm button submits the
     button's form (with the button's name/value), its cancel button closes it. */
  function confirmations(root) {
    var buttons = (root || document).querySelectorAll("button[data-confirm]");
    Array.prototype.forEach.call(buttons, function (button) {
      if (button.getAttribute("data-confirm-ready")) { return; }
      button.setAttribute("data-confirm-ready", "1");
      var dialog = document.getElementById(button.getAttribute("data-confirm"));
      if (!dialog || typeof dialog.showModal !== "function") { return; }
      button.addEventListener("click", function (event) {
        var form = button.form;
        if (form && !form.reportValidity()) { event.preventDefault(); return; }
        event.preventDefault();
        dialog.showModal();
      });
    });
  }

  function enhance(root) {
    runningTotals(root);
    confirmations(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    tickClock();
    enhance(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
})();
