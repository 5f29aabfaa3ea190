/* ParcelGuard: read a JSON answer from this origin's API (shared by portal.js, webauthn.js and
 * console.js; loaded before them). A failed answer throws an Error whose `code` is the error
 * document's code (CONTRACTS.md), or `http_<status>` when the answer carries none.
 * Exposes window.pgAnswer(response) -> the parsed JSON (an empty object when there is none).
 */
window.pgAnswer = async function (response) {
  "use strict";
  var data = {};
  try { data = await response.json(); } catch (ignored) { data = {}; }
  if (!response.ok) {
    var error = new Error((data.error && data.error.code) || "http_" + response.status);
    error.code = error.message;
    throw error;
  }
  return data;
};
