/* owm documents: a form marked data-once is sent once. A second click or Enter while
   the first request is on its way does nothing (the server also records a repeated
   form once; this keeps the screen calm). Works without this file. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-once")) { return; }
    if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
    form.setAttribute("aria-busy", "true");
  }, true);
})();
