/* owm rating kiosk: the Back button stays on the kiosk page, so a patient holding the
   ward's device cannot step back into pages the staff used before handing it over
   (those pages are not kept by the browser, and the staff member's session has ended:
   going back could only reach the sign-in page). Works without this file. */
(function () {
  "use strict";
  if (!window.history || !window.history.pushState) { return; }
  window.history.pushState({ kiosk: true }, "", window.location.href);
  window.addEventListener("popstate", function () {
    window.history.pushState({ kiosk: true }, "", window.location.href);
  });
})();
