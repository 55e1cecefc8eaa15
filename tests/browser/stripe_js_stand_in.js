// A stand-in for Stripe.js (https://js.stripe.com/v3/) in the browser test: exactly the part
// web/recur.js uses, answering as Stripe.js does, and confirming at a Stripe API on loopback (the
// fake of tests/support/fake_stripe.h) instead of api.stripe.com. components_test.mjs serves it
// at Stripe.js's own address with playwright's page.route, with STRIPE_API_BASE below replaced
// by the fake's address, so nothing leaves the machine.
//
//   const stripe = Stripe("pk_test_...");
//   const elements = stripe.elements({ clientSecret });      // a SetupIntent's client secret
//   const payment = elements.create("payment");
//   payment.mount(domElement);                                // a card form: number, expiry, CVC
//   const { setupIntent, error } = await stripe.confirmSetup({ elements, redirect: "if_required" });
//   payment.destroy();
//
// confirmSetup checks the form as Stripe.js does (an empty field is a validation_error with
// incomplete_number, incomplete_expiry or incomplete_cvc, and nothing is sent), then posts
// POST /v1/setup_intents/{id}/confirm with the publishable key and the client secret in the
// form (a request that needs no CORS preflight) and the card in payment_method_data. It resolves
// {setupIntent} (the SetupIntent, its payment_method an id) or {error} (Stripe's error object,
// or api_connection_error when the API could not be reached); it never rejects. The real Payment
// Element is an iframe of Stripe's; this one is plain inputs in the element it is mounted in.
(function () {
  "use strict";

  const STRIPE_API_BASE = "https://api.stripe.com";

  function field(name, label, placeholder, autocomplete) {
    const wrapper = document.createElement("label");
    wrapper.style.cssText =
      "display:flex;flex-direction:column;align-items:stretch;gap:0.25em;padding:0;font-size:0.9em;flex:1 1 8em;min-width:0;cursor:text";
    wrapper.textContent = label;
    const input = document.createElement("input");
    input.name = name;
    input.placeholder = placeholder;
    input.autocomplete = autocomplete;
    input.inputMode = "numeric";
    input.style.cssText =
      "box-sizing:border-box;width:100%;font:inherit;font-size:1rem;padding:0.5em 0.6em;border:1px solid #9ca3af;border-radius:6px;color:#111827;background:#fff";
    wrapper.append(input);
    return wrapper;
  }

  class PaymentElement {
    constructor() {
      this._root = null;
    }
    mount(target) {
      const container = typeof target === "string" ? document.querySelector(target) : target;
      if (!container) throw new Error("Stripe stand-in: nothing to mount the Payment Element in");
      this._root = document.createElement("div");
      this._root.dataset.stripeStandIn = "payment";
      this._root.style.cssText = "display:flex;flex-wrap:wrap;gap:0.75em";
      const number = field("cardnumber", "Card number", "1234 1234 1234 1234", "cc-number");
      number.style.flexBasis = "100%";
      this._root.append(
        number,
        field("exp-date", "Expiration", "MM / YY", "cc-exp"),
        field("cvc", "CVC", "CVC", "cc-csc"),
      );
      container.append(this._root);
    }
    destroy() {
      if (this._root) this._root.remove();
      this._root = null;
    }
    value(name) {
      const input = this._root && this._root.querySelector(`input[name="${name}"]`);
      return input ? input.value.trim() : "";
    }
  }

  class Elements {
    constructor(options) {
      if (!options || !options.clientSecret) throw new Error("Stripe stand-in: elements() needs a clientSecret");
      this.clientSecret = options.clientSecret;
      this.payment = null;
    }
    create(type) {
      if (type !== "payment") throw new Error("Stripe stand-in: only the Payment Element");
      this.payment = new PaymentElement();
      return this.payment;
    }
  }

  function validationError(code, message) {
    return { error: { type: "validation_error", code, message } };
  }

  function Stripe(publishableKey) {
    if (!(this instanceof Stripe)) return new Stripe(publishableKey);
    if (!/^pk_(test|live)_/.test(String(publishableKey))) {
      throw new Error("Stripe stand-in: Stripe() needs a publishable key (pk_test_... or pk_live_...)");
    }
    this._key = publishableKey;
  }

  Stripe.prototype.elements = function (options) {
    return new Elements(options);
  };

  Stripe.prototype.confirmSetup = async function ({ elements, redirect }) {
    if (!elements || !elements.payment) throw new Error("Stripe stand-in: confirmSetup needs mounted elements");
    if (redirect !== "if_required") throw new Error('Stripe stand-in: only redirect: "if_required"');
    const number = elements.payment.value("cardnumber").replace(/\s+/g, "");
    const expiry = elements.payment.value("exp-date").match(/^(\d{1,2})\s*\/\s*(\d{2})$/);
    const cvc = elements.payment.value("cvc");
    if (!number) return validationError("incomplete_number", "Your card number is incomplete.");
    if (!expiry) return validationError("incomplete_expiry", "Your card's expiration date is incomplete.");
    if (!/^\d{3,4}$/.test(cvc)) return validationError("incomplete_cvc", "Your card's security code is incomplete.");
    const secret = elements.clientSecret;
    const id = secret.split("_secret_")[0];
    const form = new URLSearchParams({
      key: this._key,
      client_secret: secret,
      "payment_method_data[type]": "card",
      "payment_method_data[card][number]": number,
      "payment_method_data[card][exp_month]": expiry[1],
      "payment_method_data[card][exp_year]": expiry[2],
      "payment_method_data[card][cvc]": cvc,
    });
    let response;
    try {
      response = await fetch(`${STRIPE_API_BASE}/v1/setup_intents/${encodeURIComponent(id)}/confirm`, {
        method: "POST",
        body: form,
      });
    } catch (_) {
      return { error: { type: "api_connection_error", message: "Could not connect to Stripe." } };
    }
    const answer = await response.json();
    if (!response.ok) return { error: answer.error };
    return { setupIntent: answer };
  };

  window.Stripe = Stripe;
})();
