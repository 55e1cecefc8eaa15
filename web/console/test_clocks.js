// The console's test clocks page (docs/console.md): #/test-clocks lists the test clocks
// (GET /v1/test_clocks), creates one frozen at a time, and advances one, which runs everything
// that falls due for its payers up to the new time before the API answers. Everything goes
// through the API (console.js).
(function () {
  "use strict";

  const C = window.RecurConsole;
  const { el } = C;

  async function render(view) {
    const clocks = (await C.api("GET", "/v1/test_clocks")).data;
    const create = C.button("Create a test clock…", createClock);
    C.append(view, [
      C.heading("Test clocks"),
      el("p", { class: "hint" }, "Payers created on a test clock live at its time; advancing it runs their trials, renewals and retries up to the new time."),
      create,
      el("h2", {}, "Clocks"),
      C.table(
        "Test clocks",
        [
          { title: "Name", cell: (c) => c.name || "—" },
          { title: "Id", cell: (c) => el("code", {}, c.id) },
          { title: "Frozen at", cell: (c) => C.formatTime(c.frozen_time) },
          { title: "Status", cell: (c) => C.badge(c.status, c.status) },
          { title: "Created", cell: (c) => C.formatTime(c.created_at) },
          { title: "Actions", cell: (c) => (c.status === "ready" ? C.button("Advance…", () => advance(c), "secondary small") : "—") },
        ],
        clocks,
        "No test clocks.",
      ),
    ]);
  }

  function createClock() {
    const name = el("input", { type: "text", name: "name", maxlength: "200" });
    const time = el("input", { type: "datetime-local", name: "frozen_time", required: true, value: C.toUtcInput(Date.now()) });
    C.confirmAction({
      title: "Create a test clock?",
      body: [
        el("p", {}, "A new clock, frozen at the time below until it is advanced."),
        C.field("Name (optional)", name),
        C.field("Frozen at (UTC)", time),
      ],
      confirm: "Create",
      run: () => {
        const body = { frozen_time: C.fromUtcInput(time.value) };
        if (name.value.trim()) body.name = name.value.trim();
        return C.api("POST", "/v1/test_clocks", body);
      },
      done: (clock) => {
        C.showTestClocksLink();
        return `Test clock ${clock.id} created.`;
      },
    });
  }
  function advance(clock) {
    const day = 24 * 3600 * 1000;
    const time = el("input", { type: "datetime-local", name: "frozen_time", required: true, value: C.toUtcInput(clock.frozen_time + day) });
    C.confirmAction({
      title: `Advance ${clock.name || clock.id}?`,
      body: [
        el("p", {}, `The clock is at ${C.formatTime(clock.frozen_time)}. Everything due for its payers until the new time runs now, in order, with the events of those times: trial notices and ends, charges, renewals, retries.`),
        C.field("Advance to (UTC)", time),
      ],
      confirm: "Advance",
      run: () => C.api("POST", `/v1/test_clocks/${encodeURIComponent(clock.id)}/advance`, { frozen_time: C.fromUtcInput(time.value) }),
      done: (answer) => `The clock is now at ${C.formatTime(answer.frozen_time)}.`,
    });
  }

  C.page({ path: /^\/test-clocks$/, nav: "test-clocks", title: "Test clocks", render });
})();
