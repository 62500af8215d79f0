/* SPDX-License-Identifier: EUPL-1.2 */
/* Accessibility repairs for Dash 4.4 components, applied to whatever they render.

   dcc.RadioItems renders native radio inputs inside labels (accessible as they are) and
   wraps them in role="listbox"/role="option" with aria-selected: a listbox without a name
   whose options contain interactive inputs (axe-core 4: aria-input-field-name,
   nested-interactive). Removing the ARIA roles leaves a plain group of radio buttons, named
   by the fieldset's legend around it. React re-applies aria-selected when the choice
   changes, so an observer repeats the repair.

   dcc.Dropdown makes its trigger button untabbable (tabindex=-1) and puts an invisible,
   aria-hidden input before it that forwards focus to the button: a focusable element
   hidden from assistive technology (axe-core 4: aria-hidden-focus). Here the button itself
   becomes the tab stop and the forwarding input inert (the component's own handlers only
   touch the input's tabindex, which no longer matters). The button is named by its value
   only; the field's <label> is added to its name. */
(function () {
  "use strict";

  function repair(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll(".dash-radioitems[role='listbox']").forEach(function (list) {
      list.removeAttribute("role");
    });
    scope.querySelectorAll(".dash-radioitems [role='option'], .dash-radioitems [aria-selected]")
      .forEach(function (option) {
        option.removeAttribute("role");
        option.removeAttribute("aria-selected");
      });
  }

  function repairDropdowns(scope) {
    scope.querySelectorAll(".dash-dropdown-focus-target:not([inert])").forEach(function (input) {
      var button = input.nextElementSibling;
      if (!button || button.tagName !== "BUTTON") { return; }
      input.inert = true;
      if (!button.disabled) {
        button.tabIndex = 0;
      }
      var label = button.id && document.querySelector("label[for='" + CSS.escape(button.id) + "']");
      if (label) {
        label.id = label.id || button.id + "-label";
        var names = (button.getAttribute("aria-labelledby") || "").split(" ");
        if (names.indexOf(label.id) === -1) {
          button.setAttribute("aria-labelledby", [label.id].concat(names).join(" ").trim());
        }
      }
    });
    // A disabled dropdown that becomes enabled again gets its tab stop back.
    scope.querySelectorAll(".dash-dropdown-focus-target[inert] + button.dash-dropdown")
      .forEach(function (button) {
        var wanted = button.disabled ? -1 : 0;
        if (button.tabIndex !== wanted) { button.tabIndex = wanted; }
      });
  }

  var scheduled = false;
  new MutationObserver(function () {
    if (scheduled) { return; }
    scheduled = true;
    window.requestAnimationFrame(function () {
      scheduled = false;
      repair(document);
      repairDropdowns(document);
    });
  }).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ["role", "aria-selected", "disabled"]
  });
  document.addEventListener("DOMContentLoaded", function () {
    repair(document);
    repairDropdowns(document);
  });
})();
