/* ParcelGuard passkeys: the WebAuthn ceremonies against /api/v1/auth.
 *
 * The server sends options as JSON with binary fields in base64url; the browser API wants
 * ArrayBuffers, and its answer goes back as JSON again. Nothing here is loaded from a CDN and
 * nothing runs inline (the console's CSP allows scripts from this origin only).
 * Exposes window.PgPasskeys = { register, signIn, stepUp, post, encode, decode }.
 */
(function () {
  "use strict";

  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var LOOKUP = {};
  for (var n = 0; n < ALPHABET.length; n++) LOOKUP[ALPHABET.charAt(n)] = n;

  /** Encode bytes (ArrayBuffer or view) as unpadded base64url. */
  function encode(data) {
    var bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    var out = "";
    for (var i = 0; i < bytes.length; i += 3) {
      var chunk = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      var left = bytes.length - i;
      out += ALPHABET.charAt((chunk >> 18) & 63) + ALPHABET.charAt((chunk >> 12) & 63);
      if (left > 1) out += ALPHABET.charAt((chunk >> 6) & 63);
      if (left > 2) out += ALPHABET.charAt(chunk & 63);
    }
    return out;
  }

  /** Decode base64url (padding tolerated) into a Uint8Array; throws on a foreign character. */
  function decode(text) {
    var clean = String(text).replace(/=+$/, "");
    var bytes = new Uint8Array(Math.floor((clean.length * 3) / 4));
    var bits = 0, value = 0, at = 0;
    for (var i = 0; i < clean.length; i++) {
      var digit = LOOKUP[clean.charAt(i)];
      if (digit === undefined) throw new Error("not base64url");
      value = ((value << 6) | digit) & 0xffffff;  // only the last 14 bits are ever read
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        bytes[at++] = (value >> bits) & 255;
      }
    }
    return bytes.subarray(0, at);
  }

  function csrfToken() {
    var holder = document.getElementById("pg-console");
    return holder ? holder.getAttribute("data-csrf") || "" : "";
  }

  /** POST JSON (with the session's CSRF token); resolve to the answer, reject with its code. */
  async function post(path, body) {
    var headers = { "Content-Type": "application/json", "Accept": "application/json" };
    var token = csrfToken();
    if (token) headers["X-CSRF-Token"] = token;
    var response = await fetch(path, {
      method: "POST", headers: headers, credentials: "same-origin",
      body: JSON.stringify(body || {})
    });
    return window.pgAnswer(response);
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = decode(json.challenge);
    options.user = Object.assign({}, json.user, { id: decode(json.user.id) });
    options.excludeCredentials = (json.excludeCredentials || []).map(function (c) {
      return Object.assign({}, c, { id: decode(c.id) });
    });
    return options;
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = decode(json.challenge);
    options.allowCredentials = (json.allowCredentials || []).map(function (c) {
      return Object.assign({}, c, { id: decode(c.id) });
    });
    return options;
  }

  function credentialJSON(credential) {
    var r = credential.response;
    var out = {
      id: credential.id,
      rawId: encode(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults
        ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: encode(r.clientDataJSON) }
    };
    if (credential.authenticatorAttachment) {
      out.authenticatorAttachment = credential.authenticatorAttachment;
    }
    if (r.attestationObject) {
      out.response.attestationObject = encode(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = encode(r.authenticatorData);
      out.response.signature = encode(r.signature);
      if (r.userHandle) out.response.userHandle = encode(r.userHandle);
    }
    return out;
  }

  function supported() {
    return Boolean(window.PublicKeyCredential && navigator.credentials);
  }

  /** Register a passkey: with an enrolment link's token, or for the signed-in person. */
  async function register(token, label) {
    var start = await post("/api/v1/auth/register/options", token ? { token: token } : {});
    var created = await navigator.credentials.create({ publicKey: creationOptions(start.publicKey) });
    return post("/api/v1/auth/register/verify", {
      challenge_id: start.challenge_id, credential: credentialJSON(created),
      token: token || null, label: label || null
    });
  }

  async function assert(prefix) {
    var start = await post(prefix + "/options", {});
    var got = await navigator.credentials.get({ publicKey: requestOptions(start.publicKey) });
    return post(prefix + "/verify", { challenge_id: start.challenge_id, credential: credentialJSON(got) });
  }

  /** Sign in with a discoverable passkey; resolves to the new session's summary. */
  function signIn() { return assert("/api/v1/auth/login"); }

  /** Confirm with a passkey again (before a reveal, or before adding a passkey). */
  function stepUp() { return assert("/api/v1/auth/step-up"); }

  window.PgPasskeys = {
    register: register, signIn: signIn, stepUp: stepUp, post: post,
    encode: encode, decode: decode, supported: supported
  };
})();
