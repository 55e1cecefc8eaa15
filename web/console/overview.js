// The console's overview (docs/console.md): #/overview?days=30 shows what GET /v1/overview
// reports: MRR per currency, paying payers, active trials, the trial conversion of the last days,
// past-due payers and failing webhook endpoints, and charts of MRR, sign-ups and conversions per
// day, drawn as inline SVG with DOM calls. Everything comes from the API (console.js).
(function () {
  "use strict";

  const C = window.RecurConsole;
  const { el } = C;
  const SVG = "http://www.w3.org/2000/svg";
  const PERIODS = [7, 30, 90, 365];

  function svg(tag, attributes, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  async function render(view, _args, params) {
    const asked = Number(params.get("days") || 30);
    const days = PERIODS.includes(asked) ? asked : 30;
    const overview = await C.api("GET", "/v1/overview" + C.query({ days }));
    const conversion = overview.trial_conversion;
    const rate = conversion.trials_ended === 0
      ? "—"
      : `${Math.round((conversion.converted / conversion.trials_ended) * 100)}%`;
    const mrr = overview.mrr.length
      ? overview.mrr.map((m) => C.formatMoney(m.amount, m.currency)).join(" + ")
      : C.formatMoney(0, "usd");
    const figures = [
      ["mrr", "MRR", mrr, null],
      ["paying_payers", "Paying payers", String(overview.paying_payers), null],
      ["active_trials", "Active trials", String(overview.active_trials), null],
      ["trial_conversion", `Trial conversion, last ${overview.days} days`, rate,
        `${conversion.converted} of ${conversion.trials_ended} trials ended converted`],
      ["past_due_payers", "Past-due payers", String(overview.past_due_payers), null],
      ["failing_webhook_endpoints", "Failing webhook endpoints", String(overview.failing_webhook_endpoints),
        overview.failing_webhook_endpoints ? el("a", { href: "#/webhooks?show=failing" }, "See them") : null],
    ];
    const periods = el(
      "nav",
      { class: "pager", "aria-label": "Period of the charts" },
      PERIODS.map((d) =>
        el("a", { href: "#/overview" + C.query({ days: d }), "aria-current": d === days ? "page" : null }, `${d} days`),
      ),
    );
    const currency = overview.mrr.length ? overview.mrr[0].currency : "usd";
    const mrrSeries = overview.series.map((day) => {
      const entry = day.mrr.find((m) => m.currency === currency);
      return { date: day.date, value: entry ? entry.amount : 0 };
    });
    C.append(view, [
      C.heading("Overview"),
      el("p", { class: "hint" }, `As of ${C.formatTime(overview.as_of)}.`),
      el(
        "ul",
        { class: "cards" },
        figures.map(([key, label, value, note]) =>
          el("li", { "data-figure": key }, el("span", { class: "figure" }, value), el("span", { class: "label" }, label), note ? el("div", { class: "hint" }, note) : null),
        ),
      ),
      el("h2", {}, "Over time"),
      periods,
      chart(`MRR (${currency.toUpperCase()}) at the end of each day`, mrrSeries, "line", (v) => C.formatMoney(v, currency)),
      chart("Sign-ups per day (payers created)", series(overview, "signups"), "bars", String),
      chart("Trial conversions per day", series(overview, "conversions"), "bars", String),
    ]);
  }
  function series(overview, key) {
    return overview.series.map((day) => ({ date: day.date, value: day[key] }));
  }

  // A chart of `points` ({date, value}) as an SVG line or bars, with its largest value and its
  // first and last dates written on it, and a text summary for screen readers.
  function chart(title, points, kind, format) {
    const width = 640;
    const height = 160;
    const left = 2;
    const top = 4;
    const bottom = 2;
    const plotHeight = height - top - bottom;
    const plotWidth = width - 2 * left;
    const highest = Math.max(0, ...points.map((p) => p.value));
    const max = Math.max(1, highest);
    const x = (i) => left + (points.length <= 1 ? plotWidth / 2 : (i * plotWidth) / (points.length - 1));
    const y = (v) => top + plotHeight - (v / max) * plotHeight;
    const marks = [];
    if (kind === "line") {
      const path = points.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
      if (points.length) marks.push(svg("path", { d: path, fill: "none", stroke: "#1d4ed8", "stroke-width": 2, "vector-effect": "non-scaling-stroke" }));
    } else {
      const slot = plotWidth / Math.max(1, points.length);
      points.forEach((p, i) => {
        const barHeight = (p.value / max) * plotHeight;
        marks.push(
          svg("rect", { x: (left + i * slot + slot * 0.15).toFixed(1), y: (top + plotHeight - barHeight).toFixed(1), width: Math.max(1, slot * 0.7).toFixed(1), height: barHeight.toFixed(1), fill: "#1d4ed8" },
            svg("title", {}, `${p.date}: ${format(p.value)}`)),
        );
      });
    }
    const first = points.length ? points[0].date : "";
    const last = points.length ? points[points.length - 1].date : "";
    const total = points.reduce((sum, p) => sum + p.value, 0);
    const summary = kind === "line"
      ? `From ${first} to ${last}: ${format(points.length ? points[0].value : 0)} to ${format(points.length ? points[points.length - 1].value : 0)}, highest ${format(highest)}.`
      : `From ${first} to ${last}: ${format(total)} in all, at most ${format(highest)} a day.`;
    // The labels are HTML beside the picture, so they keep the page's text size at any width.
    const picture = svg(
      "svg",
      { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none", role: "img", "aria-label": `${title}. ${summary}` },
      svg("line", { x1: left, y1: top + plotHeight, x2: width - left, y2: top + plotHeight, stroke: "#9ca3af", "vector-effect": "non-scaling-stroke" }),
      marks,
    );
    return el(
      "figure",
      { class: "chart" },
      el("h3", {}, title),
      el("p", { class: "hint" }, `highest ${format(highest)}`),
      picture,
      el("div", { class: "axis" }, el("span", {}, first), el("span", {}, last)),
      el("figcaption", { class: "hint" }, summary),
    );
  }

  C.page({ path: /^\/overview$/, nav: "overview", title: "Overview", render });
})();
