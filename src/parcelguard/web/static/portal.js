/* ParcelGuard: small page behaviour for the portal and the service / admin console pages.
 *
 * Loaded from this origin only (the pages' CSP forbids inline script). Four things:
 *  - forms marked `data-pg-fetch` post their fields as JSON with the session's CSRF token
 *    (X-CSRF-Token), then follow `next` or show a one-time secret (`show`) with textContent;
 *  - `.pg-cs-reveal` buttons ask for a passkey step-up (webauthn.js), reveal one field under
 *    a complaint, and mask it again after two minutes;
 *  - the exposure check hashes the number here (SHA-256 with the public salt) and sends only
 *    the first five hex digits; the answer (a padded bucket of suffixes) is compared here;
 *  - the photo form sends the photo to /api/v1/pii/redact-image and shows the redacted copy
 *    (a data: URL) with a download link; nothing of it is kept on the server.
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
    return window.pgAnswer(response);
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
    var hint = box.querySelector(".pg-secret-hint");
    if (hint) hint.textContent = show.hint || "";
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

  function toE164(raw) {
    var text = String(raw || "").replace(/[\uff10-\uff19]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
    }).replace(/[\s\-()（）]/g, "").replace(/^\uff0b/, "+");
    if (text.indexOf("+86") === 0) text = text.slice(3);
    else if (text.indexOf("0086") === 0) text = text.slice(4);
    else if (/^86\d{11}$/.test(text)) text = text.slice(2);
    if (/^1[3-9]\d{9}$/.test(text)) return "+86" + text;
    if (/^0\d{9,11}$/.test(text)) return "+86" + text.slice(1);
    return null;
  }

  async function sha256hex(text) {
    var digest = await window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.prototype.map.call(new Uint8Array(digest), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  async function getJson(path) {
    var response = await fetch(path, { credentials: "omit", headers: { "Accept": "application/json" } });
    if (!response.ok) throw new Error("http_" + response.status);
    return response.json();
  }

  function verdict(box, text, kind) {
    box.hidden = false;
    box.className = "card pg-verdict " + (kind || "");
    box.textContent = text;
  }

  var exposure = document.getElementById("pg-exposure-form");
  if (exposure) {
    exposure.addEventListener("submit", async function (event) {
      event.preventDefault();
      var box = document.getElementById("pg-exposure-result");
      var said = function (name) { return exposure.getAttribute("data-msg-" + name) || name; };
      var e164 = toE164(document.getElementById("pg-exposure-phone").value);
      if (!e164) { verdict(box, said("invalid"), "bad"); return; }
      var button = exposure.querySelector("[type=submit]");
      button.disabled = true;
      try {
        var salt = await getJson("/api/v1/exposure/salt");
        var size = salt.prefix_length || 5;
        var hash = await sha256hex(salt.salt + e164);
        var range = await getJson("/api/v1/exposure/range/" + hash.slice(0, size));
        var found = range.suffixes.indexOf(hash.slice(size)) >= 0;
        verdict(box, found ? said("found") : said("clear"), found ? "bad" : "ok");
        box.setAttribute("data-found", found ? "true" : "false");
      } catch (error) {
        verdict(box, said("failed"), "bad");
      } finally {
        button.disabled = false;
      }
    });
  }

  var redact = document.getElementById("pg-redact-form");
  if (redact) {
    redact.addEventListener("submit", async function (event) {
      event.preventDefault();
      var said = function (name) { return redact.getAttribute("data-msg-" + name) || name; };
      var box = document.getElementById("pg-redact-status");
      var result = document.getElementById("pg-redact-result");
      var button = redact.querySelector("[type=submit]");
      var style = redact.querySelector("[name=style]:checked");
      button.disabled = true;
      verdict(box, said("working"));
      try {
        var response = await fetch(
          "/api/v1/pii/redact-image?report=json&style=" + encodeURIComponent(style ? style.value : "blur"),
          { method: "POST", credentials: "omit", body: new FormData(redact) }
        );
        var data = {};
        try { data = await response.json(); } catch (ignored) { data = {}; }
        if (!response.ok) {
          var code = (data.error && data.error.code) || "failed";
          verdict(box, said(code) === code ? said("failed") : said(code), "bad");
          return;
        }
        var url = "data:" + data.media_type + ";base64," + data.image;
        var extension = (data.media_type.split("/")[1] || "jpg").replace("jpeg", "jpg");
        document.getElementById("pg-redact-preview").src = url;
        var link = document.getElementById("pg-redact-download");
        link.href = url;
        link.setAttribute("download", "redacted." + extension);
        result.hidden = false;
        verdict(box, said("done").replace("{n}", String((data.regions || []).length)), "ok");
      } catch (error) {
        verdict(box, said("failed"), "bad");
      } finally {
        button.disabled = false;
      }
    });
  }
})();
