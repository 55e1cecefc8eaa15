// The console's webhooks pages (docs/console.md): #/webhooks lists the endpoints with their event
// filters, whether they are disabled and why, and since when they fail (?show=failing or
// ?show=disabled narrows the list); #/webhooks/<id> is one endpoint with its attempt log (status
// codes, errors and answers) and the actions on it: recover since a time, resend an event,
// rotate the secret, enable and disable. Everything goes through the API (console.js).
(function () {
  "use strict";

  const C = window.RecurConsole;
  const { el } = C;
  const FILTERS = [
    ["", "All"],
    ["failing", "Failing"],
    ["disabled", "Disabled"],
  ];

  function endpointState(endpoint) {
    if (endpoint.disabled) return C.badge("disabled", "disabled");
    if (endpoint.failing_since !== null) return C.badge("failing", "failing");
    return C.badge("enabled", "enabled");
  }
  function eventTypes(endpoint) {
    return endpoint.event_types.length ? endpoint.event_types.join(", ") : "every event type";
  }

  async function renderList(view, _args, params) {
    const show = params.get("show") || "";
    const endpoints = (await C.api("GET", "/v1/webhook_endpoints")).data.filter(
      (e) => show === "" || (show === "disabled" ? e.disabled : !e.disabled && e.failing_since !== null),
    );
    const filters = el(
      "nav",
      { class: "pager", "aria-label": "Show endpoints" },
      FILTERS.map(([value, label]) =>
        el("a", { href: "#/webhooks" + C.query({ show: value }), "aria-current": value === show ? "page" : null }, label),
      ),
    );
    C.append(view, [
      C.heading("Webhook endpoints"),
      filters,
      C.table(
        "Webhook endpoints",
        [
          { title: "URL", cell: (e) => el("a", { href: `#/webhooks/${encodeURIComponent(e.id)}` }, e.url) },
          { title: "Description", cell: (e) => e.description || "—" },
          { title: "Event types", cell: eventTypes },
          { title: "State", cell: endpointState },
          { title: "Failing since", cell: (e) => (e.failing_since === null ? "—" : C.formatTime(e.failing_since)) },
          { title: "Disabled because", cell: (e) => e.disabled_reason || "—" },
        ],
        endpoints,
        show ? "No endpoint is " + show + "." : "No webhook endpoints. Create them with POST /v1/webhook_endpoints.",
      ),
    ]);
  }

  async function renderEndpoint(view, [endpointId]) {
    const path = `/v1/webhook_endpoints/${encodeURIComponent(endpointId)}`;
    const [endpoint, attempts] = await Promise.all([C.api("GET", path), C.api("GET", path + "/attempts")]);
    const actions = el(
      "div",
      { class: "row-actions" },
      C.button("Recover…", () => recover(endpoint, path)),
      C.button("Rotate secret…", () => rotate(endpoint, path), "secondary"),
      endpoint.disabled
        ? C.button("Enable…", () => setDisabled(endpoint, path, false), "secondary")
        : C.button("Disable…", () => setDisabled(endpoint, path, true), "danger"),
    );
    C.append(view, [
      el("p", { class: "breadcrumb" }, el("a", { href: "#/webhooks" }, "Webhook endpoints")),
      C.heading(endpoint.url),
      el(
        "dl",
        { class: "facts" },
        [
          ["Endpoint id", el("code", {}, endpoint.id)],
          ["Description", endpoint.description || "—"],
          ["Event types", eventTypes(endpoint)],
          ["State", endpointState(endpoint)],
          ["Failing since", endpoint.failing_since === null ? "—" : C.formatTime(endpoint.failing_since)],
          ["Disabled because", endpoint.disabled_reason || "—"],
          ["Previous secret signs until", endpoint.previous_secret_expires_at ? C.formatTime(endpoint.previous_secret_expires_at) : "—"],
          ["Created", C.formatTime(endpoint.created_at)],
        ].map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]),
      ),
      el("h2", {}, "Actions"),
      actions,
      el("h2", {}, "Attempt log"),
      el("p", { class: "hint" }, "The last 100 delivery attempts, newest first."),
      C.table(
        "Delivery attempts",
        [
          { title: "When", cell: (a) => C.formatTime(a.attempted_at) },
          { title: "Event", cell: (a) => [el("strong", {}, a.event_type), " ", el("code", {}, a.event_id)] },
          { title: "Attempt", cell: (a) => String(a.attempt) + (a.superseded ? " (superseded)" : "") },
          {
            title: "Answer",
            cell: (a) => (a.http_status !== null ? C.badge(`HTTP ${a.http_status}`, a.http_status < 300 ? "paid" : "failed") : C.badge(a.error || "no answer", "failed")),
          },
          { title: "Latency", cell: (a) => `${a.latency_ms} ms` },
          { title: "Body", cell: (a) => (a.response_body ? el("details", {}, el("summary", {}, "Answer body"), el("pre", {}, a.response_body)) : "—") },
          { title: "Next attempt", cell: (a) => (a.next_attempt_at === null ? "—" : C.formatTime(a.next_attempt_at)) },
          { title: "Actions", cell: (a) => C.button("Resend…", () => resend(endpoint, path, a), "secondary small") },
        ],
        attempts.data,
        "No delivery attempts yet.",
      ),
    ]);
  }

  function recover(endpoint, path) {
    const day = 24 * 3600 * 1000;
    const since = endpoint.failing_since !== null ? endpoint.failing_since : Date.now() - day;
    const input = el("input", { type: "datetime-local", name: "since", required: true, value: C.toUtcInput(since) });
    C.confirmAction({
      title: "Recover missed deliveries?",
      body: [
        el("p", {}, `Every event since the time below that ${endpoint.url} takes and has not received is sent again, with a new round of retries.`),
        endpoint.disabled ? el("p", {}, "The endpoint is disabled: the deliveries are queued and sent once it is enabled.") : null,
        C.field("Since (UTC)", input),
      ],
      confirm: "Recover",
      run: () => C.api("POST", path + "/recover", { since: C.fromUtcInput(input.value) }),
      done: (answer) => `${answer.queued} deliveries queued${answer.endpoint_disabled ? " (sent once the endpoint is enabled)" : ""}.`,
    });
  }
  function resend(endpoint, path, attempt) {
    C.confirmAction({
      title: `Resend ${attempt.event_type}?`,
      body: el("p", {}, `The event ${attempt.event_id} is sent once more to ${endpoint.url}, with the same webhook-id, even if it was delivered.`),
      confirm: "Resend",
      run: () => C.api("POST", path + "/resend", { event_id: attempt.event_id }),
      done: `The event ${attempt.event_id} is queued for delivery.`,
    });
  }
  function rotate(endpoint, path) {
    C.confirmAction({
      title: "Rotate the signing secret?",
      body: el("p", {}, `A new secret signs every delivery to ${endpoint.url}; the current one keeps signing beside it for 24 hours. The new secret is shown once, here, after rotation: give it to the receiver.`),
      confirm: "Rotate secret",
      run: () => C.api("POST", path + "/rotate_secret"),
      done: (answer) => `New secret (shown once): ${answer.secret}`,
    });
  }
  function setDisabled(endpoint, path, disabled) {
    C.confirmAction({
      title: disabled ? "Disable the endpoint?" : "Enable the endpoint?",
      body: el(
        "p",
        {},
        disabled
          ? `${endpoint.url} gets no deliveries while disabled, and events made meanwhile get none for it (recover them after enabling).`
          : `${endpoint.url} gets deliveries again, and its failing-since is cleared. To send what it missed, recover since it stopped.`,
      ),
      confirm: disabled ? "Disable" : "Enable",
      run: () => C.api("PATCH", path, { disabled }),
      done: disabled ? "The endpoint is disabled." : "The endpoint is enabled.",
    });
  }

  C.page({ path: /^\/webhooks$/, nav: "webhooks", title: "Webhook endpoints", render: renderList });
  C.page({ path: /^\/webhooks\/([^/]+)$/, nav: "webhooks", title: "Webhook endpoint", render: renderEndpoint });
})();
