/* ParcelGuard: small page behaviour for the portal and the service / admin console pages.
 *
 * Loaded from this origin only (the pages' CSP forbids inline script). Two things:
 *  - forms marked `data-pg-fetch` post their fields as JSON with the session's CSRF token
 *    (X-CSRF-Token), then follow `next` or show a one-time secret (`show`) with textContent;
 *  - `.pg-cs-reveal` buttons ask for a passkey step-up (webauthn.js), reveal one field under
 *    a complaint, and mask it again after two minutes.
 */
(function () {
  "use strict";

  var holder = document.getElementById("pg-console");
  var status = document.getElementById("pg-status");
  var HIDE_AFTER_MS = 120000;

  function message(name) {
    return (holder && holder.getAttribute("data-msg-" + name)) || name;
  }

  function say(text, bad) {
    if (!status) return;
    status.textContent = text;
    status.className = bad ? "bad" : "";
  }

  function csrf() {
    return holder ? holder.getAttribute("data-csrf") || "" : "";
  }

  async function postJson(path, body) {
    var response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRF-Token": csrf() },
      body: JSON.stringify(body || {})
    });
    var data = {};
    try { data = await response.json(); } catch (ignored) { data = {}; }
    if (!response.ok) {
      var error = new Error((data.error && data.error.code) || "http_" + response.status);
      error.code = error.message;
      throw error;
    }
    return data;
  }

  function fail(error) {
    if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
      say(message("cancelled"), true);
    } else {
      say(message("failed") + " (" + ((error && (error.code || error.name)) || "error") + ")", true);
    }
  }

  function showSecret(show) {
    var box = document.getElementById("pg-secret");
    if (!box) return;
    box.hidden = false;
    box.querySelector(".pg-secret-label").textContent = show.label || "";
    box.querySelector(".pg-secret").textContent = show.value || "";
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-pg-fetch]"), function (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var button = form.querySelector("[type=submit]");
      var body = {};
      new FormData(form).forEach(function (value, key) { body[key] = value; });
      if (button) button.disabled = true;
      try {
        var data = await postJson(form.getAttribute("action"), body);
        if (data.show) {
          showSecret(data.show);
          say(message("saved"));
        } else if (data.next) {
          window.location.assign(data.next);
        } else {
          say(message("saved"));
        }
      } catch (error) {
        fail(error);
      } finally {
        if (button) button.disabled = false;
      }
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll(".pg-cs-reveal"), function (button) {
    button.addEventListener("click", async function () {
      var passkeys = window.PgPasskeys;
      if (!passkeys || !passkeys.supported()) { say(message("unsupported"), true); return; }
      var target = document.getElementById(button.getAttribute("data-target"));
      button.disabled = true;
      say(message("working"));
      try {
        await passkeys.stepUp();
        var field = button.getAttribute("data-field");
        var answer = await postJson(
          "/api/v1/complaints/" + encodeURIComponent(button.getAttribute("data-complaint")) + "/reveal",
          { waybill: button.getAttribute("data-waybill"), field: field }
        );
        if (!target.hasAttribute("data-masked")) target.setAttribute("data-masked", target.textContent);
        target.textContent = answer.fields[field];
        target.setAttribute("data-revealed", "true");
        say(message("revealed"));
        window.setTimeout(function () {
          target.textContent = target.getAttribute("data-masked");
          target.removeAttribute("data-revealed");
        }, HIDE_AFTER_MS);
      } catch (error) {
        fail(error);
      } finally {
        button.disabled = false;
      }
    });
  });
})();
