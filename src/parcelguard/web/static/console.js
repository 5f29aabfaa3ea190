/* ParcelGuard staff console: wires the page's buttons to the passkey ceremonies (webauthn.js).
 *
 * Messages come from data attributes the server rendered in the page's language; plaintext
 * goes into the page with textContent only, and a revealed address is masked again after two
 * minutes.
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

  function say(text, bad) {
    if (!status) return;
    status.textContent = text;
    status.className = bad ? "bad" : "";
  }

  function fail(error) {
    if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
      say(message("cancelled"), true);
    } else {
      say(message("failed") + " (" + ((error && (error.code || error.name)) || "error") + ")", true);
    }
  }

  /** Run one action from a button: busy while it runs, messages on the way. */
  function action(button, work) {
    if (!button) return;
    button.addEventListener("click", async function () {
      if (!passkeys.supported()) { say(message("unsupported"), true); return; }
      button.disabled = true;
      say(message("working"));
      try {
        await work(button);
      } catch (error) {
        fail(error);
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

  action(document.getElementById("pg-enrol"), async function (button) {
    var label = document.getElementById("pg-label");
    await passkeys.register(button.getAttribute("data-token"), label ? label.value.trim() : "");
    go(button);
  });

  action(document.getElementById("pg-add-passkey"), async function () {
    await passkeys.stepUp();
    await passkeys.register(null, "");
    var count = document.getElementById("pg-passkey-count");
    if (count) count.textContent = String(Number(count.textContent || "0") + 1);
    say(message("added"));
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
      say(message("revealed"));
      window.setTimeout(function () {
        target.textContent = masked;
        target.removeAttribute("data-revealed");
      }, HIDE_AFTER_MS);
    });
  });
})();
