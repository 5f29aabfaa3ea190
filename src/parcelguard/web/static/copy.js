/* ParcelGuard: a copy button for a shown-once secret (the admin page's API key or link).
 *
 * `<button data-pg-copy="ID">` copies the text of element ID with the clipboard API; where the
 * browser refuses (no permission, not a secure context), it selects the text instead so the
 * person can copy it by hand. The status next to the button says which happened. Loaded from
 * this origin only (the page's CSP forbids inline script).
 */
(function () {
  "use strict";

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function report(button, name) {
    var box = button.parentNode.querySelector(".pg-copy-status");
    if (box) box.textContent = button.getAttribute("data-msg-" + name) || "";
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-pg-copy]"), function (button) {
    button.addEventListener("click", async function () {
      var source = document.getElementById(button.getAttribute("data-pg-copy"));
      if (!source) return;
      var text = source.textContent || "";
      try {
        if (!navigator.clipboard || !window.isSecureContext) throw new Error("no clipboard");
        await navigator.clipboard.writeText(text);
        report(button, "copied");
      } catch (refused) {
        selectText(source);
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (ignored) { copied = false; }
        report(button, copied ? "copied" : "selected");
      }
    });
  });
})();
