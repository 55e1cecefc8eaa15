// The console's payers pages (docs/console.md): #/payers?q= searches payers by external id, email
// or payer id (GET /v1/payers?query=) and lists them with their plan, status and trial end, a
// page at a time; #/payers/<id> is one payer's whole story: its items with the actions on them
// (cancel, end now, extend the trial), its payment methods, and its payment attempts and events
// in one timeline, newest first, each payload folded in a <details>; an event can be sent again
// to a webhook endpoint. Everything is read from and done through the API (console.js).
(function () {
  "use strict";

  const C = window.RecurConsole;
  const { el } = C;
  const PAGE_SIZE = 20;

  // --- the list
  async function renderList(view, _args, params) {
    const search = params.get("q") || "";
    const after = params.get("after") || "";
    const box = el("input", { type: "search", name: "q", value: search, autocomplete: "off" });
    const form = el(
      "form",
      { class: "search", role: "search" },
      C.field("Search by external id, email or payer id", box),
      el("button", { type: "submit" }, "Search"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      C.go("#/payers" + C.query({ q: box.value.trim() }));
    });
    // The search form stands even when the list cannot be read.
    C.append(view, [C.heading("Payers"), form]);
    const list = await C.api(
      "GET",
      "/v1/payers" + C.query({ query: search, limit: PAGE_SIZE, starting_after: after }),
    );
    const columns = [
      { title: "Payer", cell: (p) => el("a", { href: `#/payers/${encodeURIComponent(p.id)}` }, p.name || p.id) },
      { title: "Email", cell: (p) => p.email || "—" },
      { title: "External id", cell: (p) => el("code", {}, p.external_id) },
      { title: "Type", cell: (p) => p.type },
      { title: "Plan", cell: (p) => (p.current_item ? p.current_item.plan_name : "—") },
      { title: "Status", cell: (p) => itemStatus(p.current_item) },
      {
        title: "Trial ends",
        cell: (p) => (p.current_item && p.current_item.trial_ends_at ? C.formatDate(p.current_item.trial_ends_at) : "—"),
      },
    ];
    const pager = el("nav", { class: "pager", "aria-label": "Pages of payers" });
    if (after) pager.appendChild(el("a", { href: "#/payers" + C.query({ q: search }) }, "First page"));
    if (list.has_more && list.data.length) {
      const last = list.data[list.data.length - 1].id;
      pager.appendChild(el("a", { href: "#/payers" + C.query({ q: search, after: last }) }, "Next page"));
    }
    C.append(view, [
      el("p", { class: "summary" }, search ? `Payers matching “${search}”` : "All payers, newest first"),
      C.table("Payers", columns, list.data, search ? "No payer matches." : "No payers yet."),
      pager,
    ]);
  }
  function itemStatus(item) {
    if (!item) return "—";
    const trial = item.status === "active" && item.trial_ends_at;
    return C.badge(trial ? "trial" : item.status, trial ? "trial" : item.status);
  }

  // --- one payer
  async function renderPayer(view, [payerId]) {
    const base = `/v1/payers/${encodeURIComponent(payerId)}`;
    const [payer, subscription, methods, attempts, events, endpoints] = await Promise.all([
      C.api("GET", base),
      C.api("GET", base + "/subscription"),
      C.api("GET", base + "/payment_methods"),
      C.api("GET", "/v1/payment_attempts" + C.query({ payer_id: payerId, limit: 100 })),
      C.api("GET", "/v1/events" + C.query({ payer_id: payerId, limit: 100 })),
      C.api("GET", "/v1/webhook_endpoints"),
    ]);
    C.append(view, [
      el("p", { class: "breadcrumb" }, el("a", { href: "#/payers" }, "Payers")),
      C.heading(payer.name || payer.id),
      facts([
        ["Payer id", el("code", {}, payer.id)],
        ["External id", el("code", {}, payer.external_id)],
        ["Email", payer.email || "—"],
        ["Type", payer.type],
        ["Created", C.formatTime(payer.created_at)],
        ["Trial used", payer.trial_used ? "yes" : "no"],
        ["Has paid", payer.has_paid ? "yes" : "no"],
        ["Subscription", `${subscription.status}`],
        ["Test clock", payer.test_clock ? el("code", {}, payer.test_clock) : "none (real time)"],
      ]),
      el("h2", {}, "Subscription items"),
      itemsTable(subscription.items || []),
      el("h2", {}, "Payment methods"),
      C.table(
        "Payment methods",
        [
          { title: "Card", cell: (m) => `${m.brand} •••• ${m.last4}` },
          { title: "Expires", cell: (m) => `${String(m.exp_month).padStart(2, "0")}/${m.exp_year}` },
          { title: "Default", cell: (m) => (m.is_default ? "default" : "") },
          { title: "Added", cell: (m) => C.formatTime(m.created_at) },
        ],
        methods.data,
        "No payment method on file.",
      ),
      el("h2", {}, "Timeline"),
      el("p", { class: "hint" }, "Payment attempts and events, newest first (the last 100 of each)."),
      timeline(attempts.data, events.data, endpoints.data.filter((e) => !e.disabled)),
    ]);
  }
  // A definition list of [term, value] pairs.
  function facts(pairs) {
    return el("dl", { class: "facts" }, pairs.map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
  }

  function itemsTable(items) {
    return C.table(
      "Subscription items",
      [
        { title: "Plan", cell: (i) => `${i.plan ? i.plan.name : i.plan_id} (${i.interval === "annual" ? "annual" : "monthly"})` },
        {
          title: "Status",
          cell: (i) => [C.badge(i.status, i.status), i.is_free_trial ? C.badge("free trial", "trial") : null],
        },
        { title: "Price", cell: (i) => (i.amount ? C.formatMoney(i.amount.amount, i.amount.currency) : "—") },
        {
          title: "Period",
          cell: (i) => (i.period_end === null ? `since ${C.formatDate(i.period_start)}` : `${C.formatDate(i.period_start)} – ${C.formatDate(i.period_end)}`),
        },
        { title: "Trial ends", cell: (i) => (i.is_free_trial ? C.formatTime(i.trial_end) : "—") },
        { title: "Actions", cell: itemActions },
      ],
      items,
      "No live items.",
    );
  }
  function itemActions(item) {
    const isDefault = item.plan && item.plan.is_default;
    const live = ["active", "past_due", "canceled"].includes(item.status);
    if (isDefault || !live) return "—";
    const name = item.plan ? item.plan.name : item.id;
    const actions = el("div", { class: "row-actions" });
    const path = `/v1/subscription_items/${encodeURIComponent(item.id)}`;
    if (item.status !== "canceled") {
      actions.appendChild(
        C.button("Cancel…", () =>
          C.confirmAction({
            title: `Cancel ${name}?`,
            body: el(
              "p",
              {},
              `${name} stays the payer's until ${C.formatTime(item.is_free_trial ? item.trial_end : item.period_end)}; nothing more is charged, and then the payer moves to the default plan.`,
            ),
            confirm: "Cancel at period end",
            run: () => C.api("DELETE", path),
            done: `${name} is canceled at its period end.`,
          }),
        "secondary"),
      );
    }
    actions.appendChild(
      C.button("End now…", () =>
        C.confirmAction({
          title: `End ${name} now?`,
          body: el("p", {}, `${name} ends at once, without a refund, and the payer moves to the default plan now.`),
          confirm: "End now",
          run: () => C.api("DELETE", path + "?end_now=true"),
          done: `${name} has ended.`,
        }),
      "danger"),
    );
    if (item.is_free_trial && item.status === "active") {
      actions.appendChild(C.button("Extend trial…", () => extendTrial(item, name), "secondary"));
    }
    return actions;
  }
  function extendTrial(item, name) {
    const week = 7 * 24 * 3600 * 1000;
    const input = el("input", { type: "datetime-local", name: "extend_to", required: true, value: C.toUtcInput(item.trial_end + week) });
    C.confirmAction({
      title: `Extend the trial of ${name}?`,
      body: [
        el("p", {}, `The trial now ends ${C.formatTime(item.trial_end)}. The trial-ending notices are planned again for the new end.`),
        C.field("New trial end (UTC)", input, "Later than the current end, at most 365 days after it."),
      ],
      confirm: "Extend the trial",
      run: () =>
        C.api("POST", `/v1/subscription_items/${encodeURIComponent(item.id)}/extend_free_trial`, {
          extend_to: C.fromUtcInput(input.value),
        }),
      done: `The trial of ${name} is extended.`,
    });
  }

  // Payment attempts and events merged, newest first.
  function timeline(attempts, events, endpoints) {
    const entries = [
      ...attempts.map((a) => ({ at: a.created_at, kind: "attempt", value: a })),
      ...events.map((e) => ({ at: e.timestamp, kind: "event", value: e })),
    ].sort((a, b) => b.at - a.at);
    if (!entries.length) return el("p", { class: "empty" }, "Nothing has happened yet.");
    return el(
      "ol",
      { class: "timeline" },
      entries.map((entry) => (entry.kind === "event" ? eventEntry(entry.value, endpoints) : attemptEntry(entry.value))),
    );
  }
  function eventEntry(event, endpoints) {
    return el(
      "li",
      { class: "event", "data-event-id": event.id },
      el("time", { datetime: new Date(event.timestamp).toISOString() }, C.formatTime(event.timestamp)),
      el("span", { class: "what" }, el("strong", { class: "event-type" }, event.type), " ", el("code", {}, event.id)),
      C.payload("Payload", event),
      endpoints.length ? C.button("Resend…", () => resend(event, endpoints), "secondary small") : null,
    );
  }
  function attemptEntry(attempt) {
    const amount = attempt.amount ? C.formatMoney(attempt.amount.amount, attempt.amount.currency) : "";
    return el(
      "li",
      { class: "attempt" },
      el("time", { datetime: new Date(attempt.created_at).toISOString() }, C.formatTime(attempt.created_at)),
      el(
        "span",
        { class: "what" },
        el("strong", {}, `Payment ${attempt.status}`),
        ` ${amount} (${attempt.charge_type})`,
        attempt.failed_reason ? ` — ${failedReason(attempt.failed_reason)}` : "",
      ),
      C.payload("Details", attempt),
    );
  }
  // An attempt's failed_reason: {code, decline_code, message} (docs/api.md), or older text.
  function failedReason(reason) {
    if (typeof reason === "string") return reason;
    const codes = [reason.code, reason.decline_code].filter(Boolean).join(", ");
    return `${reason.message || "failed"}${codes ? ` (${codes})` : ""}`;
  }
  function resend(event, endpoints) {
    const select = el(
      "select",
      { name: "endpoint" },
      endpoints.map((e) => el("option", { value: e.id }, e.url)),
    );
    C.confirmAction({
      title: `Resend ${event.type}?`,
      body: [
        el("p", {}, `The event ${event.id} is sent once more to the endpoint chosen, with the same webhook-id, even if it was delivered before.`),
        C.field("Endpoint", select),
      ],
      confirm: "Resend",
      run: () => C.api("POST", `/v1/webhook_endpoints/${encodeURIComponent(select.value)}/resend`, { event_id: event.id }),
      done: `The event ${event.id} is queued for delivery.`,
    });
  }

  C.page({ path: /^\/payers$/, nav: "payers", title: "Payers", render: renderList });
  C.page({ path: /^\/payers\/([^/]+)$/, nav: "payers", title: "Payer", render: renderPayer });
})();
