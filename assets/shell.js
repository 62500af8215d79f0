/* SPDX-License-Identifier: EUPL-1.2 */
/* The app shell's browser side (components/shell.py).

   1. The language switch keeps the current view: it reloads the page's current URL (with
      whatever the controls put in it since) with lang=en or without lang.
   2. The error banner (#shell-alert, set by the server's callback error handler) clears as
      soon as a later callback succeeds, whichever page or component it belongs to.
   3. Navigation links (data-spa) navigate inside the app.
   4. After an in-app navigation, focus moves to the main content, so that screen readers
      announce the new page instead of staying on the link. */
(function () {
  "use strict";

  var ALERT = "shell-alert";

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-lang-switch]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    var url = new URL(window.location.href);
    if (link.getAttribute("data-lang-switch") === "en") {
      url.searchParams.set("lang", "en");
    } else {
      url.searchParams.delete("lang");
    }
    window.location.assign(url.toString());
  });

  // Links marked data-spa navigate inside the app, like dcc.Link (which cannot carry
  // aria-current); with a modifier key they open normally.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-spa]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey ||
        event.altKey || link.target) {
      return;
    }
    event.preventDefault();
    window.history.pushState({}, "", link.getAttribute("href"));
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
  });

  function clearAlert() {
    var alert = document.getElementById(ALERT);
    var dc = window.dash_clientside;
    if (alert && alert.textContent && dc && dc.set_props) {
      dc.set_props(ALERT, {children: null});
    }
  }

  var originalFetch = window.fetch;
  window.fetch = function (input) {
    var promise = originalFetch.apply(this, arguments);
    var url = typeof input === "string" ? input : (input && input.url) || "";
    if (url.indexOf("_dash-update-component") === -1) {
      return promise;
    }
    return promise.then(function (response) {
      if (response.status === 204) {
        clearAlert();
      } else if (response.ok) {
        response.clone().json().then(function (body) {
          var side = body && body.sideUpdate;
          if (!(side && side[ALERT])) {
            clearAlert();
          }
        }, function () { /* not JSON: leave the banner as it is */ });
      }
      return response;
    });
  };

  function focusMain() {
    window.setTimeout(function () {
      var main = document.getElementById("main");
      if (main) {
        main.focus({preventScroll: true});
      }
    }, 250);
  }
  window.addEventListener("_dashprivate_pushstate", focusMain);
  window.addEventListener("popstate", focusMain);
})();
