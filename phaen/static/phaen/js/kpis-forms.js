/*
 * Small helps on the indicator and figure forms; every form works without them.
 *
 *   select[data-area-level]        the area level: only the matching picker is shown
 *   select[data-area-for="LEVEL"]  the picker of one level (region, special_zone, province,
 *                                  local); its .field wrapper is hidden for other levels
 *   select[data-refresh-form]      choosing another plan re-renders the form with that plan's
 *                                  elements: it clicks the form's [data-refresh-button], as a
 *                                  person would without JavaScript
 */
(function () {
  "use strict";

  function wrapper(element) {
    return element.closest(".field") || element;
  }

  function showArea(levelSelect) {
    var form = levelSelect.form;
    if (!form) {
      return;
    }
    var pickers = form.querySelectorAll("[data-area-for]");
    for (var i = 0; i < pickers.length; i++) {
      var picker = pickers[i];
      wrapper(picker).hidden = picker.getAttribute("data-area-for") !== levelSelect.value;
    }
  }

  function enhance(root) {
    var levels = root.querySelectorAll("select[data-area-level]");
    for (var i = 0; i < levels.length; i++) {
      showArea(levels[i]);
    }
    var buttons = root.querySelectorAll("[data-refresh-button]");
    for (var j = 0; j < buttons.length; j++) {
      buttons[j].classList.add("visually-hidden");
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLSelectElement)) {
      return;
    }
    if (target.hasAttribute("data-area-level")) {
      showArea(target);
    }
    if (target.hasAttribute("data-refresh-form") && target.form) {
      var button = target.form.querySelector("[data-refresh-button]");
      if (button) {
        // A click (not requestSubmit) so that htmx, too, sends the button's name and value.
        button.click();
      }
    }
  });

  document.addEventListener("htmx:afterSwap", function () {
    enhance(document);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhance(document);
    });
  } else {
    enhance(document);
  }
})();
