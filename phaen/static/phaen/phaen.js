/*
 * Phaen's progressive enhancements. Every page works without this file; it only makes some
 * things nicer. No inline handlers anywhere: behaviour hangs off data attributes, so a strict
 * Content-Security-Policy (script-src 'self') will not break it.
 *
 *   data-confirm="Question?"   on a <form>, a submit button or a link: ask before going on.
 *                              (htmx elements use hx-confirm instead.)
 *   data-error-summary         an error summary (partials/form_errors.html) takes the focus.
 *   data-nav                   the header menu, folded behind the "Menu" button on phones.
 *   body[data-msg-*]           translated texts for failed htmx requests (base.html).
 *
 * htmx's configuration is in the <meta name="htmx-config"> of base.html.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  /* Confirmations ------------------------------------------------------------------------ */
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var submitter = event.submitter;
      var question =
        (submitter && submitter.getAttribute("data-confirm")) ||
        (form instanceof HTMLFormElement && form.getAttribute("data-confirm"));
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  document.addEventListener(
    "click",
    function (event) {
      var link = event.target instanceof Element && event.target.closest("a[data-confirm]");
      if (link && !window.confirm(link.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  /* Messages ---------------------------------------------------------------------------- */
  function showMessage(text, level) {
    var area = document.getElementById("messages");
    if (!area || !text) {
      return;
    }
    var message = document.createElement("div");
    message.className = "message message--" + (level || "info");
    message.setAttribute("role", level === "error" ? "alert" : "status");
    message.textContent = text;
    area.appendChild(message);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : "";
    var text = document.body.getAttribute("data-msg-request-failed");
    showMessage(status ? text + " (" + status + ")" : text, "error");
  });

  document.addEventListener("htmx:sendError", function () {
    showMessage(document.body.getAttribute("data-msg-network-failed"), "error");
  });

  /* Header menu on phones ----------------------------------------------------------------- */
  function setUpMenu() {
    var menu = document.querySelector("[data-nav]");
    var toggle = document.querySelector(".nav-toggle");
    if (!menu || !toggle) {
      return;
    }
    menu.setAttribute("data-collapsed", "");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
      if (open) {
        menu.setAttribute("data-collapsed", "");
      } else {
        menu.removeAttribute("data-collapsed");
      }
    });
  }

  /* Error summaries ------------------------------------------------------------------------ */
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    focusErrorSummary(event.detail && event.detail.target);
  });

  function ready() {
    setUpMenu();
    focusErrorSummary(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
