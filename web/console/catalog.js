// The console's catalog page (docs/console.md): #/catalog shows every plan ever defined
// (GET /v1/catalog), archived and hidden ones included, with its price versions, trial,
// features and limits; "Reload the catalog" re-reads the plan files (POST /v1/plans/reload) and
// shows the catalog's problems when the reload is refused. Everything goes through the API
// (console.js).
(function () {
  "use strict";

  const C = window.RecurConsole;
  const { el } = C;

  async function render(view) {
    const catalog = await C.api("GET", "/v1/catalog");
    C.append(view, [
      C.heading("Catalog"),
      el("p", { class: "hint" }, "Plans come from the plan files; change the files, then reload."),
      C.button("Reload the catalog…", reload),
      ["user", "org"].map((type) => {
        const plans = catalog.plans.filter((p) => p.payer_type === type);
        if (!plans.length) return null;
        return [el("h2", {}, type === "user" ? "User plans" : "Organization plans"), plans.map(planCard)];
      }),
    ]);
  }

  function price(plan) {
    if (plan.amount === 0 && !plan.annual_amount) return "Free";
    const monthly = `${C.formatMoney(plan.amount, plan.currency)} a month`;
    return plan.annual_amount ? `${monthly}, ${C.formatMoney(plan.annual_amount, plan.currency)} a year` : monthly;
  }
  function planCard(plan) {
    const flags = [
      plan.archived_at !== null ? C.badge(`archived ${C.formatDate(plan.archived_at)}`, "archived") : null,
      plan.is_default ? C.badge("default") : null,
      plan.publicly_visible ? null : C.badge("hidden"),
    ];
    return el(
      "section",
      { class: "plan", "aria-label": plan.name },
      el("h3", {}, plan.name, " ", el("code", {}, plan.slug), " ", flags),
      plan.description ? el("p", {}, plan.description) : null,
      el(
        "dl",
        { class: "facts" },
        [
          ["Price", price(plan)],
          ["Free trial", plan.free_trial_days ? `${plan.free_trial_days} days${plan.free_trial_requires_payment_method ? ", card up front" : ", no card needed"}` : "none"],
          ["Current version", `${plan.version} (${plan.id})`],
        ].map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]),
      ),
      el("h4", {}, "Features"),
      plan.features.length
        ? el(
            "ul",
            {},
            plan.features.map((f) => el("li", {}, f.limit === null ? f.name : `${f.name}: ${f.limit === "unlimited" ? "unlimited" : f.limit}`)),
          )
        : el("p", { class: "empty" }, "No features."),
      el("h4", {}, "Price versions"),
      C.table(
        `Price versions of ${plan.name}`,
        [
          { title: "Version", cell: (v) => String(v.version) },
          { title: "Monthly", cell: (v) => C.formatMoney(v.amount, v.currency) },
          { title: "Annual", cell: (v) => (v.annual_amount === null ? "—" : C.formatMoney(v.annual_amount, v.currency)) },
          { title: "Since", cell: (v) => C.formatTime(v.created_at) },
          { title: "Id", cell: (v) => el("code", {}, v.id) },
        ],
        plan.versions,
        "No versions.",
      ),
    );
  }

  function reload() {
    C.confirmAction({
      title: "Reload the catalog?",
      body: el("p", {}, "The plan files are read again and, when they are valid, become the catalog: removed plans are archived, changed prices become new versions. When they are not, nothing changes and their problems are listed."),
      confirm: "Reload",
      run: async () => {
        try {
          return await C.api("POST", "/v1/plans/reload");
        } catch (error) {
          throw withProblems(error);
        }
      },
      done: (answer) =>
        "The catalog is reloaded: " +
        Object.entries(answer.changes)
          .map(([change, slugs]) => `${change} ${Array.isArray(slugs) && slugs.length ? slugs.join(", ") : "none"}`)
          .join("; ") +
        ".",
    });
  }
  // The refusal, with each problem of the catalog it lists as a line of its own.
  function withProblems(error) {
    if (error instanceof C.ApiError && Array.isArray(error.details)) {
      error.lines = error.details.map((d) => d.text || JSON.stringify(d));
    }
    return error;
  }

  C.page({ path: /^\/catalog$/, nav: "catalog", title: "Catalog", render });
})();
