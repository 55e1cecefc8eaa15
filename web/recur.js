// Recur's browser components, served by `recur serve` at GET /v1/assets/recur.js.
//
//   <recur-pricing-table>  the plans with their prices and one button each (docs/components.md)
//   <recur-checkout>       adds a card, then makes the change it was opened for
//   <recur-subscription>   the current plan, its next date, the card on file, cancel, resubscribe
//
// Plain script, no framework, no build step: each element is a custom element with an open
// shadow root. It talks to no one but the Recur named by its `api` attribute (by default the
// origin this script was loaded from), with the payer session named by `session`
// (docs/api.md, Payer sessions). Every change dispatches a DOM event that bubbles out of the
// shadow root: recur:subscribed, recur:canceled, recur:select (a button without a session) and
// recur:error (detail.code, detail.message). Labels can be replaced through the `labels`
// property; colors, font and corners through CSS custom properties (--recur-accent, ...) and
// ::part().
(function () {
  "use strict";

  const SCRIPT_ORIGIN = (() => {
    try {
      return document.currentScript ? new URL(document.currentScript.src).origin : "";
    } catch (_) {
      return "";
    }
  })();

  // Every text the components show. `{name}` is replaced by a value.
  const DEFAULT_LABELS = {
    loading: "Loading…",
    billingInterval: "Billing interval",
    monthly: "Monthly",
    annual: "Annual",
    perMonth: "/ month",
    billedAnnually: "{amount} billed yearly",
    billedMonthly: "billed monthly",
    free: "Free",
    trialOffer: "{days}-day free trial",
    unlimited: "Unlimited",
    featureLimit: "{name}: {limit}",
    startTrial: "Start free trial",
    subscribe: "Subscribe",
    switchPlan: "Switch plan",
    resubscribe: "Resubscribe",
    currentPlan: "Current plan",
    scheduled: "Starts at period end",
    unavailable: "Unavailable",
    getStarted: "Get started",
    working: "Working…",
    subscribed: "You are now on {plan}.",
    scheduledChange: "You will move to {plan} on {date}.",
    canceled: "{plan} is canceled; it stays yours until {date}.",
    checkoutTitle: "Add a card",
    checkoutIntro: "A card is needed for {plan}.",
    testCards: "Sandbox test card",
    confirm: "Add card and continue",
    close: "Close",
    cardDeclinedOnCharge: "charges are declined",
    cardRefused: "refused when added",
    cardPays: "pays",
    cardNeedsAuthentication: "asks for authentication",
    cardDetails: "Card details",
    stripeKeyMissing:
      "Cards cannot be taken here: the billing service runs Stripe but names no publishable key (set stripe-key).",
    subscriptionTitle: "Your plan",
    trialEnds: "Free trial ends {date}, then {amount}",
    nextPayment: "Next payment: {amount} on {date}",
    endsOn: "Canceled: ends {date}",
    pastDue: "Payment past due",
    switchesTo: "Switches to {plan} on {date}",
    freePlan: "No payment due",
    cardOnFile: "Card on file: {brand} •••• {last4}",
    noCard: "No card on file",
    cancel: "Cancel subscription",
    confirmCancel: "Cancel {plan}? It stays yours until {date}.",
    confirmCancelYes: "Yes, cancel",
    confirmCancelNo: "Keep {plan}",
    sessionInvalid: "Your billing session has expired or was ended. Reload the page to continue.",
    networkError:
      "Could not reach the billing service at {api}. It may be down, or this page's origin is not allowed to call it.",
    missingSession: "This component needs a session attribute (a payer session from your backend).",
  };

  function format(text, values) {
    return String(text).replace(/\{(\w+)\}/g, (whole, name) =>
      values && name in values ? String(values[name]) : whole,
    );
  }

  // An error of the API (or of the way to it), as recur:error carries it.
  class RecurError extends Error {
    constructor(code, message, status, details) {
      super(message);
      this.code = code;
      this.status = status || 0;
      this.details = details || null;
    }
  }

  function randomKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // Calls to one Recur with one credential. Every POST carries a fresh Idempotency-Key.
  class RecurClient {
    constructor(api, session, labels) {
      this.api = String(api || SCRIPT_ORIGIN).replace(/\/+$/, "");
      this.session = session || "";
      this.labels = labels;
    }

    async request(method, path, body) {
      const headers = { Accept: "application/json" };
      if (this.session) headers.Authorization = "Bearer " + this.session;
      if (body !== undefined) headers["Content-Type"] = "application/json";
      if (method === "POST") headers["Idempotency-Key"] = randomKey();
      let response;
      try {
        response = await fetch(this.api + path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          credentials: "omit",
          mode: "cors",
        });
      } catch (_) {
        throw new RecurError("network_error", format(this.labels.networkError, { api: this.api }));
      }
      let answer = null;
      try {
        answer = await response.json();
      } catch (_) {
        answer = null;
      }
      if (response.ok) return answer;
      const error = (answer && answer.error) || {};
      if (response.status === 401 && this.session) {
        throw new RecurError(error.code || "unauthorized", this.labels.sessionInvalid, 401);
      }
      throw new RecurError(
        error.code || "http_" + response.status,
        error.message || response.statusText || "HTTP " + response.status,
        response.status,
        error.details,
      );
    }
  }

  // The minor units of `currency` (2 for USD, 0 for JPY), as Intl knows them.
  function fractionDigits(currency) {
    try {
      return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
        .maximumFractionDigits;
    } catch (_) {
      return 2;
    }
  }

  function formatMoney(minorUnits, currency, locale) {
    const digits = fractionDigits(currency);
    const value = minorUnits / Math.pow(10, digits);
    try {
      return new Intl.NumberFormat(locale || undefined, { style: "currency", currency }).format(
        value,
      );
    } catch (_) {
      return value.toFixed(digits) + " " + currency;
    }
  }

  function formatDate(unixMs, locale) {
    return new Intl.DateTimeFormat(locale || undefined, { dateStyle: "medium" }).format(
      new Date(unixMs),
    );
  }

  // Shared look. Every color, the font and the corners come from custom properties a page sets
  // on the element (or any ancestor).
  const BASE_STYLE = `
    :host {
      --_accent: var(--recur-accent, #4338ca);
      --_accent-text: var(--recur-accent-text, #ffffff);
      --_text: var(--recur-text, #111827);
      --_muted: var(--recur-muted, #4b5563);
      --_background: var(--recur-background, #ffffff);
      --_border: var(--recur-border, #d1d5db);
      --_danger: var(--recur-danger, #b91c1c);
      --_radius: var(--recur-radius, 12px);
      display: block;
      font-family: var(--recur-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
      color: var(--_text);
      line-height: 1.5;
    }
    [hidden] { display: none !important; }
    button {
      font: inherit;
      border-radius: calc(var(--_radius) / 2);
      padding: 0.6em 1em;
      cursor: pointer;
      border: 1px solid var(--_accent);
      background: var(--_accent);
      color: var(--_accent-text);
      font-weight: 600;
    }
    button.secondary { background: var(--_background); color: var(--_accent); }
    button:disabled { cursor: default; background: var(--_background); color: var(--_muted); border-color: var(--_border); }
    button:focus-visible, input:focus-visible {
      outline: 3px solid var(--recur-focus, var(--_accent));
      outline-offset: 2px;
    }
    .error { color: var(--_danger); margin: 0.5em 0; }
    .error:empty, .status:empty { display: none; }
    .status { margin: 0.5em 0; color: var(--_muted); }
    .status:focus { outline: none; }
    .status:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; border-radius: 2px; }
    input[type="radio"] { accent-color: var(--_accent); }
  `;

  // What all three elements share: attributes, labels, the client, events.
  class RecurElement extends HTMLElement {
    static get observedAttributes() {
      return ["api", "session", "payer-type", "locale", "interval"];
    }

    constructor() {
      super();
      this.attachShadow({ mode: "open" });
      this._labels = {};
      this._connected = false;
      this._errorText = "";
      // Another component's change (its events reach the document retargeted to its host).
      this._onElsewhereChange = (event) => {
        if (event.target !== this) this.load();
      };
    }

    get labels() {
      return Object.assign({}, DEFAULT_LABELS, this._labels);
    }
    set labels(value) {
      this._labels = Object.assign({}, value || {});
      if (this._connected) this.render();
    }

    get client() {
      return new RecurClient(this.getAttribute("api"), this.getAttribute("session"), this.labels);
    }
    get locale() {
      return this.getAttribute("locale") || undefined;
    }
    label(name, values) {
      return format(this.labels[name], values);
    }

    connectedCallback() {
      this._connected = true;
      document.addEventListener("recur:subscribed", this._onElsewhereChange);
      document.addEventListener("recur:canceled", this._onElsewhereChange);
      this.load();
    }
    disconnectedCallback() {
      this._connected = false;
      document.removeEventListener("recur:subscribed", this._onElsewhereChange);
      document.removeEventListener("recur:canceled", this._onElsewhereChange);
    }
    attributeChangedCallback(name, before, after) {
      if (this._connected && before !== after) {
        this.clearError();
        this.load();
      }
    }

    emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    }
    // Shows `error` in the element's alert region (until the next action) and dispatches
    // recur:error.
    fail(error) {
      const code = error.code || "error";
      const message = error.message || String(error);
      this._errorText = message;
      const region = this.shadowRoot.querySelector("[data-error]");
      if (region) region.textContent = message;
      this.emit("recur:error", { code, message, status: error.status || 0 });
    }
    clearError() {
      this._errorText = "";
      const region = this.shadowRoot.querySelector("[data-error]");
      if (region) region.textContent = "";
    }
    errorRegion() {
      return element("p", {
        class: "error",
        role: "alert",
        part: "error",
        "data-error": "",
        text: this._errorText,
      });
    }
    // Replaces what `container` shows by `nodes`, keeping the focus on the control of the same
    // data-focus-key when there is one.
    show(container, nodes) {
      const active = this.shadowRoot.activeElement;
      const key = active && active.dataset ? active.dataset.focusKey : undefined;
      container.replaceChildren(...nodes.filter(Boolean));
      if (key) this.focusKey(key);
    }
    focusKey(key) {
      const control = this.shadowRoot.querySelector(`[data-focus-key="${key}"]`);
      if (control && !control.disabled) {
        control.focus();
        return true;
      }
      return false;
    }
    load() {}
    render() {}
  }

  function element(tag, props, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "on") for (const [type, f] of Object.entries(value)) node.addEventListener(type, f);
      else if (key in node && typeof value !== "string") node[key] = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  // ---------------------------------------------------------------------------------------------
  // <recur-pricing-table api session | payer-type interval locale gateway>

  const ACTION_LABELS = {
    start_trial: "startTrial",
    subscribe: "subscribe",
    upgrade: "switchPlan",
    downgrade: "switchPlan",
    switch_from_trial: "switchPlan",
    resubscribe: "resubscribe",
    current: "currentPlan",
    scheduled: "scheduled",
    unavailable: "unavailable",
  };

  const TABLE_STYLE = `
    .switch { display: inline-flex; border: 1px solid var(--_border); border-radius: var(--_radius); padding: 4px; gap: 4px; margin-bottom: 1em; }
    .switch button { background: transparent; color: var(--_text); border-color: transparent; }
    .switch button[aria-pressed="true"] { background: var(--_accent); color: var(--_accent-text); }
    .cards { display: grid; gap: 1em; grid-template-columns: repeat(auto-fit, minmax(15em, 1fr)); list-style: none; padding: 0; margin: 0; }
    .card { display: flex; flex-direction: column; gap: 0.5em; padding: 1.25em; border: 1px solid var(--_border); border-radius: var(--_radius); background: var(--_background); }
    .card.current { border-color: var(--_accent); box-shadow: 0 0 0 1px var(--_accent); }
    h2 { margin: 0; font-size: 1.25em; }
    .description { margin: 0; color: var(--_muted); }
    .price { margin: 0; font-size: 2em; font-weight: 700; }
    .price small { font-size: 0.45em; font-weight: 400; color: var(--_muted); }
    .billed { margin: 0; color: var(--_muted); font-size: 0.9em; min-height: 1.5em; }
    .trial { margin: 0; color: var(--_accent); font-weight: 600; min-height: 1.5em; }
    .features { list-style: none; padding: 0; margin: 0.5em 0; flex: 1; }
    .features li { padding-left: 1.5em; position: relative; margin: 0.25em 0; }
    .features li::before { content: "✓"; position: absolute; left: 0; color: var(--_accent); font-weight: 700; }
    .card button.choose { width: 100%; }
    @media (max-width: 40em) { .billed:empty, .trial:empty { display: none; } }
  `;

  class RecurPricingTable extends RecurElement {
    constructor() {
      super();
      this._table = null;
      this._interval = null;
      this._busy = "";
      this._statusText = "";
      this._content = element("div", { part: "container" });
      this._checkout = element("recur-checkout");
      this.shadowRoot.append(
        element("style", { text: BASE_STYLE + TABLE_STYLE }),
        this._content,
        this._checkout,
      );
    }

    get interval() {
      return this._interval || (this.getAttribute("interval") === "annual" ? "annual" : "month");
    }
    set interval(value) {
      this._interval = value === "annual" ? "annual" : "month";
      this.render();
    }

    async load() {
      const session = this.getAttribute("session");
      let path = "/v1/pricing_table";
      if (!session) {
        const type = this.getAttribute("payer-type") || "user";
        path += "?payer_type=" + (type === "organization" ? "org" : encodeURIComponent(type));
      }
      if (!this._table) this.render();
      try {
        this._table = await this.client.request("GET", path);
        this.render();
      } catch (error) {
        this.fail(error);
        this.render();  // what was shown stays, with the error under it
      }
    }

    render() {
      for (const name of ["api", "session", "gateway", "stripe-key", "locale"]) {
        const value = this.getAttribute(name);
        if (value === null) this._checkout.removeAttribute(name);
        else this._checkout.setAttribute(name, value);
      }
      // Set only when changed: the checkout renders again on it, which would close it when open.
      if (this._labelsGiven !== this._labels) {
        this._labelsGiven = this._labels;
        this._checkout.labels = this._labels;
      }
      const status = element("p", {
        class: "status",
        role: "status",
        part: "status",
        tabindex: "-1",
        "data-status": "",
        "data-focus-key": "status",
        text: this._statusText,
      });
      if (!this._table) {
        const loading = this._errorText ? null : element("p", { class: "status", text: this.label("loading") });
        this.show(this._content, [loading, this.errorRegion()]);
        return;
      }
      const plans = this._table.data;
      const anyAnnual = plans.some((row) => row.plan.annual_amount);
      const list = element("ul", { class: "cards", part: "cards" });
      for (const row of plans) list.append(this.renderCard(row));
      this.show(this._content, [anyAnnual ? this.renderSwitch() : null, list, status, this.errorRegion()]);
    }

    renderSwitch() {
      const option = (interval, name) =>
        element("button", {
          type: "button",
          part: "switch-option",
          "aria-pressed": String(this.interval === interval),
          "data-focus-key": "interval-" + interval,
          text: this.label(name),
          on: { click: () => (this.interval = interval) },
        });
      return element(
        "div",
        { class: "switch", role: "group", part: "switch", "aria-label": this.label("billingInterval") },
        [option("month", "monthly"), option("annual", "annual")],
      );
    }

    // The choice a button makes at the interval shown; a plan without an annual price is sold
    // monthly whichever is shown.
    choiceOf(row) {
      return (
        row.choices.find((choice) => choice.interval === this.interval) ||
        row.choices.find((choice) => choice.interval === "month") ||
        row.choices[0]
      );
    }

    renderCard(row) {
      const plan = row.plan;
      const choice = this.choiceOf(row);
      const annual = choice && choice.interval === "annual";
      // A visitor without an account has no current plan, whatever a new payer would start on.
      const current = row.current && !!this._table.payer_id;
      const headingId = "plan-" + plan.slug;
      const perMonth = annual ? plan.annual_monthly_amount : plan.amount;
      const price =
        plan.amount === 0
          ? element("p", { class: "price", part: "price", text: this.label("free") })
          : element("p", { class: "price", part: "price" }, [
              formatMoney(perMonth, plan.currency, this.locale) + " ",
              element("small", { text: this.label("perMonth") }),
            ]);
      const billed =
        plan.amount === 0
          ? ""
          : annual
            ? this.label("billedAnnually", {
                amount: formatMoney(plan.annual_amount, plan.currency, this.locale),
              })
            : this.label("billedMonthly");
      const trial =
        plan.free_trial_enabled && (!this._table.payer_id || this._table.trial_eligible)
          ? this.label("trialOffer", { days: plan.free_trial_days })
          : "";
      const features = element(
        "ul",
        { class: "features", part: "features", "aria-label": plan.name },
        plan.features.map((feature) =>
          element("li", { part: "feature", text: this.featureText(feature) }),
        ),
      );
      return element(
        "li",
        {
          class: "card" + (current ? " current" : ""),
          part: current ? "card current" : "card",
          "data-plan": plan.slug,
        },
        [
          element("h2", { id: headingId, part: "plan-name", text: plan.name }),
          plan.description
            ? element("p", { class: "description", part: "description", text: plan.description })
            : null,
          price,
          element("p", { class: "billed", part: "billed", text: billed }),
          element("p", { class: "trial", part: "trial", text: trial }),
          features,
          this.renderButton(row, choice),
        ],
      );
    }

    featureText(feature) {
      if (feature.limit === null || feature.limit === undefined) return feature.name;
      const limit =
        feature.limit === "unlimited"
          ? this.label("unlimited")
          : new Intl.NumberFormat(this.locale).format(feature.limit);
      return this.label("featureLimit", { name: feature.name, limit });
    }

    renderButton(row, choice) {
      let action = choice ? choice.action : "unavailable";
      // A visitor without an account is on no plan yet: the default plan is one to sign up for.
      if (!this._table.payer_id && action === "current") action = "get_started";
      const text =
        action === "get_started"
          ? this.label("getStarted")
          : this.label(ACTION_LABELS[action] || "unavailable");
      const disabled = ["current", "scheduled", "unavailable"].includes(action) || !!this._busy;
      return element("button", {
        type: "button",
        class: "choose",
        part: "button",
        "data-action": action,
        "data-focus-key": "plan-" + row.plan.slug,
        disabled,
        "aria-describedby": "plan-" + row.plan.slug,
        text: this._busy === row.plan.slug ? this.label("working") : text,
        on: { click: () => this.choose(row, choice, action) },
      });
    }

    async choose(row, choice, action) {
      const plan = row.plan;
      if (!this._table.payer_id) {
        this.emit("recur:select", { plan: plan.slug, plan_id: plan.id, interval: choice.interval, action });
        return;
      }
      this.clearError();
      this._statusText = "";
      if (choice.requires_payment_method) {
        this.openCheckout(plan, choice.interval);
        return;
      }
      this._busy = plan.slug;
      this.render();
      try {
        const item = await this.client.request(
          "POST",
          "/v1/payers/" + encodeURIComponent(this._table.payer_id) + "/subscription_items",
          { plan: plan.slug, interval: choice.interval },
        );
        this._busy = "";
        const canceled = plan.is_default;
        this.emit(canceled ? "recur:canceled" : "recur:subscribed", { item });
        const kind = canceled ? "canceled" : action === "downgrade" ? "scheduledChange" : "subscribed";
        await this.changed(kind, item, plan.slug);
      } catch (error) {
        this._busy = "";
        if (error.code === "payment_declined") {
          // The card on file was declined: offer another one, with the gateway's reason.
          this.fail(declineError(error));
          this.openCheckout(plan, choice.interval, declineError(error).message);
        } else {
          this.fail(error);
        }
        await this.load();
        this.focusKey("plan-" + plan.slug);
      }
    }

    async openCheckout(plan, interval, message) {
      const item = await this._checkout.open({
        plan,
        interval,
        message,
        payerId: this._table.payer_id,
        gateway: this._table.gateway,
      });
      if (item) {
        this.clearError();
        await this.changed("subscribed", item, plan.slug);
      } else {
        await this.load();  // a card may have been saved on the way
        this.focusKey("plan-" + plan.slug);
      }
    }

    // A change went through: say so, reload, and keep the focus near the plan's button.
    async changed(kind, item, slug) {
      // A scheduled change is about when the new item starts; a cancel about when the old ends.
      const when = kind === "scheduledChange" ? item.period_start : item.period_end;
      const date = when ? formatDate(when, this.locale) : "";
      this._statusText = this.label(kind, { plan: (item.plan && item.plan.name) || "", date });
      await this.load();
      if (!this.focusKey("plan-" + slug)) this.focusKey("status");
    }
  }

  // A payment_declined error with the gateway's own words as its message.
  function declineError(error) {
    const reason = error.details && error.details.failed_reason;
    return new RecurError(error.code, reason || error.message, error.status, error.details);
  }

  // ---------------------------------------------------------------------------------------------
  // <recur-checkout api session gateway="sandbox|stripe" stripe-key>
  // open({plan, interval, payerId?, gateway?, message?}) shows it; it adds a card, then subscribes
  // to the plan, and resolves with the subscription item (or null when closed). A decline keeps
  // it open with the gateway's message; the plan is left as it was. The gateway is the
  // attribute's, else the one given (the pricing table's `gateway`), else the table's it reads.

  // The sandbox gateway's test tokens (gateways/sandbox/sandbox_cards.cc) offered by the picker.
  const SANDBOX_CARDS = [
    { token: "pm_card_visa", brand: "Visa", last4: "4242", outcome: "cardPays" },
    { token: "pm_card_mastercard", brand: "Mastercard", last4: "4444", outcome: "cardPays" },
    { token: "pm_card_chargeCustomerFail", brand: "Visa", last4: "0341", outcome: "cardDeclinedOnCharge" },
    { token: "pm_card_chargeDeclined", brand: "Visa", last4: "0002", outcome: "cardRefused" },
    { token: "pm_card_authenticationRequired", brand: "Visa", last4: "3184", outcome: "cardNeedsAuthentication" },
  ];

  const CHECKOUT_STYLE = `
    dialog { box-sizing: border-box; border: 1px solid var(--_border); border-radius: var(--_radius); padding: 1.5em; max-width: min(28em, 90vw); color: var(--_text); background: var(--_background); font-family: inherit; }
    dialog::backdrop { background: rgb(0 0 0 / 0.4); }
    h2 { margin: 0 0 0.5em; font-size: 1.25em; }
    fieldset { border: 1px solid var(--_border); border-radius: calc(var(--_radius) / 2); margin: 1em 0; padding: 0.5em 1em; }
    legend { padding: 0 0.25em; color: var(--_muted); font-size: 0.9em; }
    label { display: flex; gap: 0.5em; align-items: center; padding: 0.35em 0; cursor: pointer; }
    .actions { display: flex; gap: 0.5em; justify-content: flex-end; flex-wrap: wrap; }
    #stripe-element { margin: 1em 0; }
    @media (max-width: 30em) { .actions button { flex: 1 1 100%; } }
  `;

  class RecurCheckout extends RecurElement {
    static get observedAttributes() {
      return [];
    }

    connectedCallback() {
      this._connected = true;
      this.render();
    }
    disconnectedCallback() {
      this._connected = false;
    }

    // Who takes the card: the gateway and Stripe key the attributes name, else those the pricing
    // table said (its `gateway`), else the sandbox.
    gateway() {
      const told = (this._request && this._request.gateway) || {};
      return {
        name: this.getAttribute("gateway") || told.name || "sandbox",
        stripeKey: this.getAttribute("stripe-key") || told.publishable_key || "",
      };
    }

    render() {
      const root = this.shadowRoot;
      const gateway = this.gateway().name;
      const plan = (this._request && this._request.plan) || { name: "" };
      const cards =
        gateway === "stripe"
          ? element("div", { id: "stripe-element", part: "stripe-element", role: "group", "aria-label": this.label("cardDetails") })
          : element("fieldset", { part: "cards" }, [
              element("legend", { text: this.label("testCards") }),
              ...SANDBOX_CARDS.map((card, index) =>
                element("label", { part: "card-option" }, [
                  element("input", {
                    type: "radio",
                    name: "card",
                    value: card.token,
                    checked: index === 0,
                  }),
                  `${card.brand} •••• ${card.last4}: ${this.label(card.outcome)}`,
                ]),
              ),
            ]);
      const dialog = element(
        "dialog",
        { part: "dialog", "aria-labelledby": "checkout-title", "aria-describedby": "checkout-intro" },
        [
          element("form", { method: "dialog", on: { submit: (event) => this.confirm(event) } }, [
            element("h2", { id: "checkout-title", text: this.label("checkoutTitle") }),
            element("p", { id: "checkout-intro", text: this.label("checkoutIntro", { plan: plan.name }) }),
            cards,
            this.errorRegion(),
            element("div", { class: "actions" }, [
              element("button", {
                type: "button",
                class: "secondary",
                part: "close",
                text: this.label("close"),
                on: { click: () => this.close(null) },
              }),
              element("button", { type: "submit", part: "confirm", "data-confirm": "", text: this.label("confirm") }),
            ]),
          ]),
        ],
      );
      dialog.addEventListener("cancel", (event) => {
        event.preventDefault();
        this.close(null);
      });
      root.replaceChildren(element("style", { text: BASE_STYLE + CHECKOUT_STYLE }), dialog);
      this._dialog = dialog;
    }

    // Shows the checkout for `plan` at `interval`; resolves with the item, or null if closed.
    open({ plan, interval, payerId, gateway, message }) {
      this._request = { plan, interval, payerId, gateway };
      this._errorText = message || "";
      const closed = new Promise((resolve) => (this._resolve = resolve));
      this.showDialog();
      return closed;
    }

    async showDialog() {
      // Used alone, without the attribute: the pricing table says which gateway runs.
      if (!this.getAttribute("gateway") && !this._request.gateway) {
        try {
          await this.readPricingTable();
        } catch (error) {
          this._errorText = error.message;
        }
      }
      this.render();
      this._dialog.showModal();
      const checked = this.shadowRoot.querySelector("input:checked");
      if (checked) checked.focus();
      if (this.gateway().name === "stripe") this._mounting = this.mountStripe();
    }

    close(item) {
      if (this._dialog && this._dialog.open) this._dialog.close();
      const resolve = this._resolve;
      this._resolve = null;
      if (resolve) resolve(item);
    }

    // The payer and the gateway, from the session's pricing table when the opener did not say.
    async readPricingTable() {
      const table = await this.client.request("GET", "/v1/pricing_table");
      this._request.payerId = this._request.payerId || table.payer_id;
      this._request.gateway = this._request.gateway || table.gateway;
    }

    async payerId() {
      if (!this._request.payerId) await this.readPricingTable();
      return this._request.payerId;
    }

    async confirm(event) {
      event.preventDefault();
      const confirmButton = this.shadowRoot.querySelector("[data-confirm]");
      if (confirmButton.disabled) return;
      confirmButton.disabled = true;
      confirmButton.textContent = this.label("working");
      this.clearError();
      const { plan, interval } = this._request;
      try {
        const payer = encodeURIComponent(await this.payerId());
        const earlier = await this.defaultCard(payer);
        const added = await this.addCard(payer);
        if (added === null) return;
        let item;
        try {
          item = await this.client.request("POST", "/v1/payers/" + payer + "/subscription_items", {
            plan: plan.slug,
            interval,
          });
        } catch (error) {
          // A card declined on the change's charge stays saved (as Stripe keeps a card a
          // SetupIntent attached), but does not displace the card that was on file: that one
          // may still pay the current plan (docs/components.md, Checkout).
          if (error.code === "payment_declined" && earlier && earlier.id !== added.id) {
            await this.client
              .request("POST", "/v1/payers/" + payer + "/payment_methods", { payment_method: earlier.id, default: true })
              .catch(() => {});
          }
          throw error;
        }
        this.close(item);
        this.emit("recur:subscribed", { item });
      } catch (error) {
        this.fail(error.code === "payment_declined" ? declineError(error) : error);
        // A SetupIntent confirmed once is spent: another card needs a new one.
        if (this.gateway().name === "stripe" && !this._elements) this._mounting = this.mountStripe();
      } finally {
        confirmButton.disabled = false;
        confirmButton.textContent = this.label("confirm");
      }
    }

    // The payer's default card, or null.
    async defaultCard(payer) {
      const methods = await this.client.request("GET", "/v1/payers/" + payer + "/payment_methods");
      return methods.data.find((method) => method.is_default) || null;
    }

    // Saves the chosen card as the payer's default; null when the gateway's own form said no.
    async addCard(payer) {
      if (this.gateway().name === "stripe") return this.addStripeCard(payer);
      const token = this.shadowRoot.querySelector("input[name=card]:checked").value;
      return this.client.request("POST", "/v1/payers/" + payer + "/payment_methods", {
        token,
        default: true,
      });
    }

    // The Stripe path: Stripe.js's Payment Element on a SetupIntent Recur makes
    // (POST /v1/payers/{id}/setup_intents answering {id, client_secret}), then the confirmed
    // PaymentMethod saved with POST /v1/payers/{id}/payment_methods {payment_method, default}.
    async mountStripe() {
      if (this._payment) this._payment.destroy();
      this._payment = null;
      this._elements = null;
      // Only the latest mounting mounts: the dialog may have been closed and opened again.
      const mounting = (this._mountings = (this._mountings || 0) + 1);
      try {
        const key = this.gateway().stripeKey;
        if (!key) throw new RecurError("stripe_key_missing", this.label("stripeKeyMissing"));
        await loadStripeJs();
        const payer = encodeURIComponent(await this.payerId());
        const intent = await this.client.request("POST", "/v1/payers/" + payer + "/setup_intents", {});
        if (mounting !== this._mountings) return;
        this._stripe = window.Stripe(key);
        const elements = this._stripe.elements({ clientSecret: intent.client_secret });
        this._payment = elements.create("payment");
        this._payment.mount(this.shadowRoot.getElementById("stripe-element"));
        this._elements = elements;
      } catch (error) {
        this.fail(error);
      }
    }

    async addStripeCard(payer) {
      if (!this._elements) await this._mounting;
      if (!this._elements) return null;  // mounting failed, and said why
      const result = await this._stripe.confirmSetup({ elements: this._elements, redirect: "if_required" });
      if (result.error) {
        this.fail(new RecurError(result.error.code || "card_error", result.error.message));
        return null;
      }
      this._elements = null;  // spent: a later try mounts a new SetupIntent
      return this.client.request("POST", "/v1/payers/" + payer + "/payment_methods", {
        payment_method: result.setupIntent.payment_method,
        default: true,
      });
    }
  }

  let stripeJs = null;
  function loadStripeJs() {
    if (window.Stripe) return Promise.resolve();
    if (!stripeJs) {
      stripeJs = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = "https://js.stripe.com/v3/";
        script.onload = resolve;
        script.onerror = () => reject(new RecurError("network_error", "Stripe.js could not be loaded"));
        document.head.append(script);
      });
    }
    return stripeJs;
  }

  // ---------------------------------------------------------------------------------------------
  // <recur-subscription api session locale>

  const SUBSCRIPTION_STYLE = `
    section { border: 1px solid var(--_border); border-radius: var(--_radius); padding: 1.25em; background: var(--_background); }
    h2 { margin: 0; font-size: 1em; color: var(--_muted); font-weight: 600; }
    .plan { margin: 0.25em 0; font-size: 1.5em; font-weight: 700; }
    p { margin: 0.35em 0; }
    .actions { display: flex; gap: 0.5em; flex-wrap: wrap; margin-top: 1em; }
    .confirm { border-top: 1px solid var(--_border); margin-top: 1em; padding-top: 0.5em; }
  `;

  const LIVE_STATUSES = ["active", "past_due", "canceled"];

  class RecurSubscription extends RecurElement {
    constructor() {
      super();
      this._state = null;
      this._confirming = false;
      this._busy = false;
      this._content = element("div", { part: "container" });
      this.shadowRoot.append(element("style", { text: BASE_STYLE + SUBSCRIPTION_STYLE }), this._content);
    }

    async load() {
      if (!this.getAttribute("session")) {
        this._state = null;
        this.fail(new RecurError("missing_session", this.label("missingSession")));
        this.render();
        return;
      }
      if (!this._state) this.render();
      try {
        const client = this.client;
        const table = await client.request("GET", "/v1/pricing_table");
        const payer = encodeURIComponent(table.payer_id);
        const [subscription, methods] = await Promise.all([
          client.request("GET", "/v1/payers/" + payer + "/subscription"),
          client.request("GET", "/v1/payers/" + payer + "/payment_methods"),
        ]);
        this._state = { payerId: table.payer_id, subscription, methods: methods.data };
        this.render();
      } catch (error) {
        this.fail(error);
        this.render();
      }
    }

    render() {
      if (!this._state) {
        const loading = this._errorText ? null : element("p", { class: "status", text: this.label("loading") });
        this.show(this._content, [loading, this.errorRegion()]);
        return;
      }
      const items = this._state.subscription.items;
      const current = items.find((item) => LIVE_STATUSES.includes(item.status));
      const upcoming = items.find((item) => item.status === "upcoming");
      const card = this._state.methods.find((method) => method.is_default);
      const section = element("section", { part: "panel", "aria-labelledby": "subscription-title" }, [
        element("h2", { id: "subscription-title", text: this.label("subscriptionTitle") }),
        element("p", { class: "plan", part: "plan-name", "data-plan": current ? current.plan.slug : "", text: current ? current.plan.name : "" }),
        current ? element("p", { part: "next", "data-next": "", text: this.nextText(current) }) : null,
        upcoming && current && current.status !== "canceled"
          ? element("p", {
              part: "upcoming",
              text: this.label("switchesTo", {
                plan: upcoming.plan.name,
                date: formatDate(upcoming.period_start, this.locale),
              }),
            })
          : null,
        element("p", {
          part: "card",
          "data-card": "",
          text: card
            ? this.label("cardOnFile", { brand: brandName(card.brand), last4: card.last4 })
            : this.label("noCard"),
        }),
        this.renderActions(current),
        this.errorRegion(),
      ]);
      this.show(this._content, [section]);
    }

    nextText(item) {
      const date = (ms) => formatDate(ms, this.locale);
      const money = formatMoney(item.amount.amount, item.amount.currency, this.locale);
      if (item.status === "past_due") return this.label("pastDue");
      if (item.status === "canceled") return this.label("endsOn", { date: date(item.period_end) });
      if (item.is_free_trial && item.trial_end) {
        return this.label("trialEnds", { date: date(item.trial_end), amount: money });
      }
      if (!item.period_end || item.amount.amount === 0) return this.label("freePlan");
      return this.label("nextPayment", { amount: money, date: date(item.period_end) });
    }

    renderActions(current) {
      if (!current || current.plan.is_default) return null;
      const actions = element("div", { class: "actions" });
      if (current.status === "canceled") {
        actions.append(
          element("button", {
            type: "button",
            part: "button resubscribe",
            "data-focus-key": "resubscribe",
            disabled: this._busy,
            text: this._busy ? this.label("working") : this.label("resubscribe"),
            on: { click: () => this.resubscribe(current) },
          }),
        );
        return actions;
      }
      if (!this._confirming) {
        actions.append(
          element("button", {
            type: "button",
            class: "secondary",
            part: "button cancel",
            "data-focus-key": "cancel",
            text: this.label("cancel"),
            on: {
              click: () => {
                this._confirming = true;
                this.render();
                this.focusKey("cancel-no");
              },
            },
          }),
        );
        return actions;
      }
      const end = current.trial_end || current.period_end;
      const questionId = "cancel-question";
      return element(
        "div",
        { class: "confirm", role: "group", part: "confirm", "aria-labelledby": questionId },
        [
          element("p", {
            id: questionId,
            text: this.label("confirmCancel", { plan: current.plan.name, date: end ? formatDate(end, this.locale) : "" }),
          }),
          element("div", { class: "actions" }, [
            element("button", {
              type: "button",
              class: "secondary",
              part: "button keep",
              "data-focus-key": "cancel-no",
              text: this.label("confirmCancelNo", { plan: current.plan.name }),
              on: {
                click: () => {
                  this._confirming = false;
                  this.render();
                  this.focusKey("cancel");
                },
              },
            }),
            element("button", {
              type: "button",
              part: "button confirm-cancel",
              "data-focus-key": "cancel-yes",
              disabled: this._busy,
              text: this._busy ? this.label("working") : this.label("confirmCancelYes"),
              on: { click: () => this.cancel(current) },
            }),
          ]),
        ],
      );
    }

    async cancel(item) {
      await this.change(async () => {
        const canceled = await this.client.request(
          "DELETE",
          "/v1/subscription_items/" + encodeURIComponent(item.id),
        );
        this._confirming = false;
        return ["recur:canceled", canceled, "resubscribe"];
      });
    }

    async resubscribe(item) {
      await this.change(async () => {
        const resubscribed = await this.client.request(
          "POST",
          "/v1/payers/" + encodeURIComponent(this._state.payerId) + "/subscription_items",
          { plan: item.plan.slug, interval: item.interval },
        );
        return ["recur:subscribed", resubscribed, "cancel"];
      });
    }

    // Runs a change, then reloads (every component reloads on the event it dispatches) and
    // puts the focus on the button that undoes it.
    async change(run) {
      this._busy = true;
      this.clearError();
      this.render();
      try {
        const [type, item, next] = await run();
        this._busy = false;
        this.emit(type, { item });
        await this.load();
        this.focusKey(next);
      } catch (error) {
        this._busy = false;
        this.render();
        this.fail(error);
      }
    }
  }

  function brandName(brand) {
    const names = { visa: "Visa", mastercard: "Mastercard", amex: "American Express" };
    return names[brand] || brand;
  }

  // The checkout first: a table makes one as it is made.
  const ELEMENTS = {
    "recur-checkout": RecurCheckout,
    "recur-subscription": RecurSubscription,
    "recur-pricing-table": RecurPricingTable,
  };
  for (const [name, constructor] of Object.entries(ELEMENTS)) {
    if (!customElements.get(name)) customElements.define(name, constructor);
  }
  // The default labels, for a page that replaces some of them (docs/components.md, Labels).
  window.Recur = { labels: Object.freeze(Object.assign({}, DEFAULT_LABELS)) };
})();
