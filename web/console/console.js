// The operator console's shell (docs/console.md), served by `recur serve` at /console/console.js.
//
// It signs the operator in with the secret key (POST /v1/console/session, which sets an HttpOnly
// cookie and answers a CSRF token), checks the session on load, signs out, and shows one page at
// a time by the URL's hash (#/payers?q=ada, #/payers/cpayer_...). Every page is a view of Recur's
// own /v1 API, asked with the session cookie; every change sends the CSRF token in X-CSRF-Token.
// Pages register themselves with RecurConsole.page(); this file gives them the API client, DOM
// helpers, formats and the confirmation dialog.
//
// Text that comes from data is put in the page with textContent or text nodes only, never as
// markup. Plain script, no framework, no build step.
(function () {
  "use strict";

  const DEFAULT_ROUTE = "#/overview";
  const pages = [];
  let csrfToken = "";
  let rendering = 0; // counts route renders, so a slow page does not draw over a newer one

  // --- the DOM
  // el("p", {class: "x", onclick: f}, "text", node, ...): children are nodes or text (as text).
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    append(node, children);
    return node;
  }
  function append(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }
  const main = () => document.getElementById("main");

  // --- formats
  function formatTime(ms) {
    if (ms === null || ms === undefined) return "—";
    return new Intl.DateTimeFormat("en-GB", {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: "UTC",
    }).format(new Date(ms)) + " UTC";
  }
  function formatDate(ms) {
    if (ms === null || ms === undefined) return "—";
    return new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" }).format(
      new Date(ms),
    );
  }
  // Minor units of `currency` as the currency's amount, e.g. 2000 usd -> "$20.00".
  function formatMoney(minor, currency) {
    const code = String(currency || "usd").toUpperCase();
    let digits = 2;
    try {
      digits = new Intl.NumberFormat("en-US", { style: "currency", currency: code })
        .resolvedOptions().maximumFractionDigits;
    } catch (_) {
      return `${minor} ${code} minor units`;
    }
    return new Intl.NumberFormat("en-US", { style: "currency", currency: code }).format(
      minor / 10 ** digits,
    );
  }
  // "2026-12-04T13:05" in UTC, for <input type="datetime-local"> read as UTC.
  function toUtcInput(ms) {
    return new Date(ms).toISOString().slice(0, 16);
  }
  function fromUtcInput(text) {
    const ms = Date.parse(text + ":00Z");
    if (Number.isNaN(ms)) throw new ConsoleError("Enter a date and time.");
    return ms;
  }

  // --- the API
  class ConsoleError extends Error {}
  // An answer of the API that is not a success: its error's code, message, param and request id.
  class ApiError extends ConsoleError {
    constructor(status, error) {
      super(error.message || `HTTP ${status}`);
      this.status = status;
      this.code = error.code || "";
      this.param = error.param || "";
      this.requestId = error.request_id || "";
      this.details = error.details;
    }
    describe() {
      const parts = [this.message];
      if (this.code) parts.push(`(${this.code}${this.param ? ", " + this.param : ""})`);
      if (this.requestId) parts.push(`request ${this.requestId}`);
      return parts.join(" ");
    }
  }
  // Calls Recur's API with the console session's cookie. A change carries the CSRF token.
  // Answers the parsed body (null for 204); throws ApiError. A 401 on any call but the sign-in
  // means the session ended: the sign-in page is shown and the call throws.
  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ConsoleError(`Recur did not answer (${error.message}).`);
    }
    if (response.status === 204) return null;
    let answer = null;
    try {
      answer = await response.json();
    } catch (_) {
      answer = null;
    }
    if (!response.ok) {
      const error = new ApiError(response.status, (answer && answer.error) || {});
      if (response.status === 401 && path !== "/v1/console/session") {
        showSignIn("Your session has ended. Sign in again.");
      }
      throw error;
    }
    return answer;
  }
  function query(params) {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && value !== "") search.set(name, String(value));
    }
    const text = search.toString();
    return text ? "?" + text : "";
  }

  // --- messages
  function showError(error) {
    const box = document.getElementById("error");
    clear(box);
    if (!error) return;
    box.appendChild(document.createTextNode(describe(error)));
  }
  function describe(error) {
    if (error instanceof ApiError) return error.describe();
    return error && error.message ? error.message : String(error);
  }
  function showStatus(text) {
    const box = document.getElementById("status");
    clear(box);
    if (text) box.appendChild(document.createTextNode(text));
  }

  // --- the confirmation dialog
  // Asks before a change: `title`, `body` (nodes or text saying what will happen), optional
  // `fields` (label/input pairs made with field()), `confirm` (the button's text) and `run`
  // (async, called on confirmation). The dialog stays open with the API's message when `run`
  // throws; on success it closes, `done` (a text, or a function of run's answer giving one) is
  // shown as a status and the page is drawn again.
  function confirmAction({ title, body, confirm, run, done }) {
    const dialog = document.getElementById("confirm");
    const form = document.getElementById("confirm-form");
    const ok = document.getElementById("confirm-ok");
    const cancel = document.getElementById("confirm-cancel");
    const error = document.getElementById("confirm-error");
    const opener = document.activeElement;
    clear(document.getElementById("confirm-title")).appendChild(document.createTextNode(title));
    append(clear(document.getElementById("confirm-body")), [body]);
    clear(error);
    ok.textContent = confirm;
    ok.disabled = false;
    const close = () => {
      form.onsubmit = null;
      cancel.onclick = null;
      dialog.close();
      if (opener && opener.isConnected) opener.focus();
    };
    cancel.onclick = close;
    dialog.oncancel = (event) => {
      event.preventDefault();
      close();
    };
    form.onsubmit = async (event) => {
      event.preventDefault();
      ok.disabled = true;
      clear(error);
      try {
        const answer = await run();
        close();
        showStatus((typeof done === "function" ? done(answer) : done) || "Done.");
        await renderRoute();
      } catch (failure) {
        if (failure instanceof ApiError && failure.status === 401) {
          close();
          return;
        }
        error.appendChild(document.createTextNode(describe(failure)));
        if (Array.isArray(failure.lines)) {
          error.appendChild(el("ul", {}, failure.lines.map((line) => el("li", {}, line))));
        }
        ok.disabled = false;
      }
    };
    dialog.showModal();
    const first = dialog.querySelector("#confirm-body input, #confirm-body select");
    (first || cancel).focus();
  }
  // A labelled control for a form: field("Extend to (UTC)", input).
  let fieldCount = 0;
  function field(label, control, hint) {
    fieldCount += 1;
    control.id = control.id || `field-${fieldCount}`;
    return el(
      "div",
      { class: "field" },
      el("label", { for: control.id }, label),
      control,
      hint ? el("p", { class: "hint" }, hint) : null,
    );
  }

  // --- building blocks of pages
  function heading(text) {
    return el("h1", { tabindex: "-1" }, text);
  }
  // A table: columns [{title, cell: (row) => node or text}], or the empty text.
  function table(caption, columns, rows, empty) {
    if (!rows.length) return el("p", { class: "empty" }, empty);
    return el(
      "div",
      { class: "table-wrap" },
      el(
        "table",
        {},
        el("caption", { class: "visually-hidden" }, caption),
        el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col" }, c.title)))),
        el(
          "tbody",
          {},
          rows.map((row) =>
            el("tr", {}, columns.map((c) => el("td", { "data-label": c.title }, c.cell(row)))),
          ),
        ),
      ),
    );
  }
  // A JSON value shown as text, folded: <details><summary>label</summary><pre>...</pre>.
  function payload(label, value) {
    return el(
      "details",
      { class: "payload" },
      el("summary", {}, label),
      el("pre", {}, JSON.stringify(value, null, 2)),
    );
  }
  function badge(text, kind) {
    return el("span", { class: `badge ${kind || ""}`.trim() }, text);
  }
  function button(text, onclick, kind) {
    return el("button", { type: "button", class: kind || "", onclick }, text);
  }

  // --- routing
  // Registers a page: `path` is a RegExp over the hash's path (groups are the page's arguments),
  // `nav` the navigation entry it belongs to, `render(view, args, params)` draws it into `view`.
  function page(definition) {
    pages.push(definition);
  }
  function currentRoute() {
    const hash = location.hash.startsWith("#/") ? location.hash.slice(1) : DEFAULT_ROUTE.slice(1);
    const at = hash.indexOf("?");
    return {
      path: at === -1 ? hash : hash.slice(0, at),
      params: new URLSearchParams(at === -1 ? "" : hash.slice(at + 1)),
    };
  }
  function go(hash) {
    if (location.hash === hash) renderRoute();
    else location.hash = hash;
  }
  async function renderRoute({ focus = false } = {}) {
    if (!csrfToken) return;
    const number = ++rendering;
    const { path, params } = currentRoute();
    showError(null);
    for (const definition of pages) {
      const match = definition.path.exec(path);
      if (!match) continue;
      for (const link of document.querySelectorAll("[data-nav]")) {
        if (link.dataset.nav === definition.nav) link.setAttribute("aria-current", "page");
        else link.removeAttribute("aria-current");
      }
      const view = el("div", { class: "page", "aria-busy": "true" });
      try {
        await definition.render(view, match.slice(1).map(decodeURIComponent), params);
      } catch (error) {
        if (number !== rendering) return;
        if (error instanceof ApiError && error.status === 401) return;
        showError(error);
        if (!view.querySelector("h1")) view.prepend(heading(definition.title));
      }
      if (number !== rendering) return;
      view.removeAttribute("aria-busy");
      document.title = `${definition.title} · Recur console`;
      clear(main()).appendChild(view);
      if (focus) {
        const title = view.querySelector("h1");
        (title || main()).focus();
      }
      return;
    }
    clear(main()).appendChild(heading("No such page"));
    append(main(), [el("p", {}, el("a", { href: DEFAULT_ROUTE }, "Go to the overview"))]);
  }

  // --- signing in and out
  function signedIn(session) {
    csrfToken = session.csrf_token;
    document.getElementById("nav").hidden = false;
    document.getElementById("sign-out").hidden = false;
    showTestClocksLink();
  }
  // The test clocks page is in the navigation only while a test clock exists (its address opens
  // it all the same, to create the first one). When the list cannot be read, the link shows.
  async function showTestClocksLink() {
    const entry = document.querySelector('[data-nav="test-clocks"]').parentElement;
    try {
      entry.hidden = (await api("GET", "/v1/test_clocks?limit=1")).data.length === 0;
    } catch (error) {
      entry.hidden = false;
    }
  }
  function showSignIn(message) {
    csrfToken = "";
    rendering += 1;
    document.getElementById("nav").hidden = true;
    document.getElementById("sign-out").hidden = true;
    document.title = "Sign in · Recur console";
    const key = el("input", {
      type: "password",
      name: "secret_key",
      autocomplete: "current-password",
      required: true,
      spellcheck: "false",
    });
    const problem = el("p", { class: "error", role: "alert", id: "sign-in-error" }, message || "");
    const form = el(
      "form",
      { class: "sign-in", novalidate: true },
      heading("Sign in"),
      el("p", {}, "Sign in with Recur's secret API key (sk_…). The console keeps you signed in with a cookie until the session expires or you sign out."),
      field("Secret key", key),
      problem,
      el("button", { type: "submit" }, "Sign in"),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clear(problem);
      if (!key.value) {
        problem.textContent = "Enter the secret key.";
        key.focus();
        return;
      }
      try {
        const session = await api("POST", "/v1/console/session", { secret_key: key.value });
        key.value = "";
        signedIn(session);
        showStatus("Signed in.");
        await renderRoute({ focus: true });
      } catch (error) {
        problem.textContent = error instanceof ApiError && error.status === 401
          ? "That key was refused. " + error.describe()
          : describe(error);
        key.focus();
      }
    });
    showError(null);
    clear(main()).appendChild(form);
    key.focus();
  }
  async function signOut() {
    try {
      await api("DELETE", "/v1/console/session");
      showSignIn("");
      showStatus("Signed out.");
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) showError(error);
    }
  }
  async function start() {
    document.getElementById("skip-link").addEventListener("click", (event) => {
      event.preventDefault();
      const title = main().querySelector("h1");
      (title || main()).focus();
    });
    document.getElementById("sign-out").addEventListener("click", signOut);
    window.addEventListener("hashchange", () => {
      showStatus("");
      renderRoute({ focus: true });
    });
    try {
      signedIn(await api("GET", "/v1/console/session"));
      await renderRoute();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) showSignIn("");
      else showError(error);
    }
  }

  window.RecurConsole = {
    page,
    api,
    query,
    go,
    el,
    append,
    clear,
    heading,
    table,
    payload,
    badge,
    button,
    field,
    confirmAction,
    showError,
    showStatus,
    describe,
    formatTime,
    formatDate,
    formatMoney,
    toUtcInput,
    fromUtcInput,
    ConsoleError,
    ApiError,
    showTestClocksLink,
  };
  document.addEventListener("DOMContentLoaded", start);
})();
