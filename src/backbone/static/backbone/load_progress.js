// Submission page: while the worker loads the file, ask for its progress every second, move the
// bar, and reload the page when the load has an outcome. Without JavaScript, reload by hand.
(function () {
  "use strict";
  const box = document.getElementById("load-progress");
  if (!box || !window.fetch) return;
  const bar = document.getElementById("load-bar");
  const text = document.getElementById("load-text");
  const stages = { reading: "Reading", validating: "Checking", committing: "Loading" };

  function show(state) {
    if (!state.in_progress) {
      window.location.reload();
      return;
    }
    if (typeof state.fraction === "number") bar.value = state.fraction;
    else bar.removeAttribute("value");
    text.textContent = state.status === "queued"
      ? "Waiting for the worker…"
      : `${stages[state.stage] || "Starting"}… ${(state.rows || 0).toLocaleString()} rows so far.`;
  }

  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((state) => { show(state); if (state.in_progress) window.setTimeout(poll, 1000); })
      .catch(() => window.setTimeout(poll, 5000));
  }
  window.setTimeout(poll, 1000);
})();
