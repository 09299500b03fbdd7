/*
 * Quoting the draft in a comment, on a hearing's page (consultation/pages/hearing_detail.html).
 *
 * When the reader selects words inside an element's title or description
 * ([data-quote-source="<element code>"]), the element's button [data-quote-button="<code>"]
 * appears; pressing it copies the words into that element's comment form
 * ([data-quote-form="<code>"] [data-quote-field]), opens the folded form
 * (details[data-quote-details="<code>"]) and moves the focus to the quote.
 *
 * Without this file the quote field is an ordinary text box: the page works the same.
 * No inline handlers, so a strict Content-Security-Policy (script-src 'self') does not break it.
 */
(function () {
  "use strict";

  var MAX_QUOTE = 2000;
  var selected = { code: "", text: "" };

  function sourceOf(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    return element ? element.closest("[data-quote-source]") : null;
  }

  function buttons() {
    return document.querySelectorAll("[data-quote-button]");
  }

  function showButtonFor(code) {
    buttons().forEach(function (button) {
      button.hidden = button.getAttribute("data-quote-button") !== code;
    });
  }

  function readSelection() {
    var selection = window.getSelection ? window.getSelection() : null;
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      return;
    }
    var start = sourceOf(selection.anchorNode);
    var end = sourceOf(selection.focusNode);
    if (!start || !end) {
      return;
    }
    var code = start.getAttribute("data-quote-source");
    if (code !== end.getAttribute("data-quote-source")) {
      return;
    }
    var text = selection.toString().replace(/\s+/g, " ").trim();
    if (!text) {
      return;
    }
    selected = { code: code, text: text.slice(0, MAX_QUOTE) };
    showButtonFor(code);
  }

  function quote(code) {
    if (!selected.text || selected.code !== code) {
      return;
    }
    var form = document.querySelector('[data-quote-form="' + code + '"]');
    var field = form && form.querySelector("[data-quote-field]");
    if (!field) {
      return;
    }
    field.value = selected.text;
    var details = document.querySelector('details[data-quote-details="' + code + '"]');
    if (details) {
      details.open = true;
    }
    field.focus();
  }

  document.addEventListener("mouseup", readSelection);
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey || event.key === "Shift") {
      readSelection();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest("[data-quote-button]");
    if (button) {
      event.preventDefault();
      quote(button.getAttribute("data-quote-button"));
    }
  });
})();
