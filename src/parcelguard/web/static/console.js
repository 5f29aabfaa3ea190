/* ParcelGuard staff console: passkey buttons (webauthn.js), reveals, relay bindings, API forms.
 *
 * Messages and error words come from data attributes the server rendered in the page's
 * language (#pg-console); plaintext goes into the page with textContent only, and a revealed
 * address is masked again after two minutes. Forms marked `data-pg-api` post to the API with
 * the session's CSRF token (X-CSRF-Token): JSON from their fields, or multipart when the form
 * says so; then they go to `data-pg-next` (with `{field}` filled from the answer), reload
 * (`data-pg-reload`) or say `data-pg-done` in their status element.
 */
(function () {
  "use strict";

  var holder = document.getElementById("pg-console");
  var passkeys = window.PgPasskeys;
  if (!holder || !passkeys) return;
  var status = document.getElementById("pg-status");
  var HIDE_AFTER_MS = 120000;

  function message(name) {
    return holder.getAttribute("data-msg-" + name) || name;
  }

  /** Show a message: `bad` true for an error, false for a success, absent while working. */
  function say(text, bad, where) {
    var box = where || status;
    if (!box) return;
    box.textContent = text;
    var kind = bad === true ? " pg-alert bad" : bad === false ? " pg-alert ok" : "";
    box.className = (box.className.replace(/\b(bad|ok|pg-alert)\b/g, "").trim() + kind).trim();
  }

  function explain(error) {
    if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
      return message("cancelled");
    }
    var code = (error && (error.code || error.name)) || "error";
    return holder.getAttribute("data-err-" + code) || message("failed") + " (" + code + ")";
  }

  /** Run one action from a button: busy while it runs, messages on the way. */
  function action(button, work, needsPasskeys) {
    if (!button) return;
    button.addEventListener("click", async function () {
      if (needsPasskeys !== false && !passkeys.supported()) { say(message("unsupported"), true); return; }
      button.disabled = true;
      say(message(needsPasskeys === false ? "busy" : "working"));
      try {
        await work(button);
      } catch (error) {
        say(explain(error), true);
      } finally {
        button.disabled = false;
      }
    });
  }

  function go(button) {
    window.location.assign(button.getAttribute("data-next") || "/console");
  }

  action(document.getElementById("pg-sign-in"), async function (button) {
    await passkeys.signIn();
    go(button);
  });

  /* Enrolment: the link's token is in the URL fragment, which no server or proxy ever sees.
   * Take it off the address bar (kept for this tab only, so a reload still works), check it,
   * and send it in POST bodies only. */
  var enrolForm = document.getElementById("pg-enrol-form");
  var enrolToken = "";
  var TOKEN_KEY = "pg-enrol-token";
  if (enrolForm) {
    enrolToken = window.location.hash.replace(/^#/, "");
    if (enrolToken) {
      try { window.sessionStorage.setItem(TOKEN_KEY, enrolToken); } catch (ignored) { /* private mode */ }
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    } else {
      try { enrolToken = window.sessionStorage.getItem(TOKEN_KEY) || ""; } catch (ignored) { /* none */ }
    }
    (async function () {
      try {
        if (!enrolToken) throw { code: "enrolment_link_invalid" };
        await passkeys.post("/api/v1/auth/enrolment-links/check", { token: enrolToken });
        enrolForm.hidden = false;
        say("");
      } catch (error) {
        say(explain(error), true);
        var login = document.getElementById("pg-enrol-login");
        if (login) login.hidden = false;
      }
    })();
  }

  action(document.getElementById("pg-enrol"), async function (button) {
    var label = document.getElementById("pg-label");
    await passkeys.register(enrolToken, label ? label.value.trim() : "");
    try { window.sessionStorage.removeItem(TOKEN_KEY); } catch (ignored) { /* none */ }
    go(button);
  });

  action(document.getElementById("pg-add-passkey"), async function () {
    await passkeys.stepUp();
    await passkeys.register(null, "");
    var count = document.getElementById("pg-passkey-count");
    if (count) count.textContent = String(Number(count.textContent || "0") + 1);
    say(message("added"), false);
  });

  var signOut = document.getElementById("pg-sign-out");
  if (signOut) {
    signOut.addEventListener("click", async function () {
      try { await passkeys.post("/api/v1/auth/logout", {}); } catch (ignored) { /* gone anyway */ }
      go(signOut);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".pg-reveal"), function (button) {
    action(button, async function () {
      var target = document.getElementById(button.getAttribute("data-target"));
      var waybill = button.getAttribute("data-waybill");
      await passkeys.stepUp();
      var answer = await passkeys.post(
        "/api/v1/shipments/" + encodeURIComponent(waybill) + "/reveal",
        { fields: ["recipient.address"], purpose: "delivery" }
      );
      if (!target.hasAttribute("data-masked")) target.setAttribute("data-masked", target.textContent);
      var masked = target.getAttribute("data-masked");
      target.textContent = answer.fields["recipient.address"];
      target.setAttribute("data-revealed", "true");
      say(message("revealed"), false);
      window.setTimeout(function () {
        target.textContent = masked;
        target.removeAttribute("data-revealed");
      }, HIDE_AFTER_MS);
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll(".pg-bind"), function (button) {
    action(button, async function () {
      await passkeys.post("/api/v1/relay/bindings", { waybill: button.getAttribute("data-waybill") });
      window.location.reload();
    }, false);
  });

  /** Return a form's fields as JSON: checkboxes as booleans, numbers as numbers, blanks left out. */
  function fields(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "file") return;
      if (el.type === "checkbox") { out[el.name] = el.checked; return; }
      var value = String(el.value || "").trim();
      if (!value) return;
      if (el.getAttribute("data-pg-type") === "bool") out[el.name] = value === "true";
      else if (el.type === "number") out[el.name] = Number(value);
      else out[el.name] = value;
    });
    return out;
  }

  /** Return a multipart body without the empty file and text parts. */
  function multipart(form) {
    var body = new FormData(form);
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      if (el.type === "file" ? !(el.files && el.files.length) : !String(el.value || "").trim()) {
        body.delete(el.name);
      }
    });
    return body;
  }

  async function submit(form) {
    var headers = { "Accept": "application/json", "X-CSRF-Token": holder.getAttribute("data-csrf") || "" };
    var body;
    if (form.getAttribute("enctype") === "multipart/form-data") {
      body = multipart(form);
    } else {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(fields(form));
    }
    var response = await fetch(form.getAttribute("action"), {
      method: "POST", credentials: "same-origin", headers: headers, body: body
    });
    return window.pgAnswer(response);
  }

  function fill(template, answer, encode) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      var value = answer[key] === undefined || answer[key] === null ? "" : String(answer[key]);
      return encode ? encodeURIComponent(value) : value;
    });
  }

  function settle(form, answer, box) {
    var next = form.getAttribute("data-pg-next");
    if (next) { window.location.assign(fill(next, answer, true)); return; }
    if (form.hasAttribute("data-pg-reload")) { window.location.reload(); return; }
    var done = form.getAttribute("data-pg-done");
    say(done ? fill(done, answer, false) : message("saved"), false, box);
    var key = form.getAttribute("data-pg-remove-key");
    if (key && answer[key] !== undefined) {
      Array.prototype.forEach.call(document.querySelectorAll("[data-pg-item]"), function (item) {
        if (item.getAttribute("data-pg-item") === String(answer[key])) item.remove();
      });
    }
    form.reset();
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-pg-api]"), function (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var box = document.getElementById(form.getAttribute("data-pg-status") || "") || status;
      var button = form.querySelector("[type=submit]");
      if (button) button.disabled = true;
      say(message("busy"), undefined, box);
      try {
        settle(form, await submit(form), box);
      } catch (error) {
        say(explain(error), true, box);
      } finally {
        if (button) button.disabled = false;
      }
    });
  });
})();
