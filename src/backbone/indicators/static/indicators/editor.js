// Indicator editor: check the definition as the user types (400 ms after the last key) through
// POST /indicators/check, show each problem under its field, and preview the latest numbers.
// Without JavaScript the form still posts and the server shows the same problems.
(function () {
  "use strict";
  const form = document.getElementById("indicator-form");
  if (!form || !window.fetch) return;
  const status = document.getElementById("check-status");
  const numbers = document.getElementById("preview-numbers");
  const rows = document.getElementById("preview-rows");
  const sqlBox = document.getElementById("preview-sql");
  const sqlText = document.getElementById("preview-sql-text");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const DELAY = 400;
  let timer = null;
  let sent = 0;  // answers to older requests are ignored
  // A new indicator's empty boxes are not scolded until the user has been to them; an existing
  // indicator's (or a refused post's) problems are all shown.
  const editing = form.dataset.editing === "true";
  const touched = new Set();

  const value = (name) => (form.elements[name] ? form.elements[name].value : "");
  const lines = (text) => text.split("\n").map((l) => l.trim()).filter(Boolean);

  // The same spelling as forms.parse_join:
  // table [as alias] [on record_id|person_key] [latest_by column] [where condition].
  const JOIN_OPTIONS = { as: "alias", on: "on", latest_by: "latest_by" };
  function parseJoin(line) {
    const where = line.search(/\s+where\s+/i);
    const head = where < 0 ? line : line.slice(0, where);
    const [table, ...rest] = head.trim().split(/\s+/);
    const join = { table };
    for (let i = 0; i < rest.length; i += 2) {
      const word = rest[i].toLowerCase();
      const known = Object.prototype.hasOwnProperty.call(JOIN_OPTIONS, word);
      const option = known ? JOIN_OPTIONS[word] : `unknown option ${rest[i]}`;
      join[option] = rest[i + 1] || "";
    }
    if (where >= 0) join.condition = line.slice(where).replace(/^\s+where\s+/i, "").trim();
    return join;
  }

  function definition() {
    const per = parseInt(value("per"), 10);
    return {
      slug: value("slug"),
      name: value("name"),
      description: value("plain_definition"),
      table: value("table"),
      joins: lines(value("joins")).map(parseJoin),
      denominator: value("denominator"),
      numerator: value("numerator"),
      cohort: value("cohort").trim() || null,
      period: { column: value("period_column"), rule: value("period_rule") },
      dimensions: lines(value("dimensions")),
      unit: value("unit"),
      per: Number.isNaN(per) ? 1000 : per,
      value: value("value").trim() || null,
      higher_is_better: form.elements.higher_is_better.checked,
    };
  }

  function where(problem) {
    if (problem.line === null) return "";
    const near = problem.token ? `, at '${problem.token}'` : "";
    return ` (line ${problem.line}, column ${problem.column}${near})`;
  }

  function clearProblems() {
    form.querySelectorAll(".field-error").forEach((box) => { box.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
  }

  function showProblems(problems) {
    clearProblems();
    const unplaced = [];
    let waiting = 0;
    problems.forEach((problem) => {
      const input = form.elements[problem.field];
      const box = document.getElementById(`id_${problem.field}_error`);
      if (!input || !box) { unplaced.push(problem.message); return; }
      if (!editing && !touched.has(problem.field)) { waiting += 1; return; }
      input.setAttribute("aria-invalid", "true");
      const line = document.createElement("span");
      line.className = "problem";
      line.textContent = problem.message + where(problem);
      if (box.childNodes.length) box.appendChild(document.createElement("br"));
      box.appendChild(line);
    });
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    const later = waiting ? ` (${waiting} in boxes not filled in yet)` : "";
    setStatus(`${count} to fix${later}${unplaced.length ? ": " + unplaced.join("; ") : ""}.`, "check-bad");
  }

  function setStatus(text, tone) {
    status.textContent = text;
    status.className = tone || "";
  }

  function cell(tag, text) {
    const node = document.createElement(tag);
    if (tag === "th") node.scope = "row";
    node.textContent = text;
    return node;
  }

  function showPreview(preview) {
    clearProblems();
    sqlText.textContent = preview.sql;
    sqlBox.hidden = false;
    const shownRows = preview.periods.map((p) => {
      const row = document.createElement("tr");
      const shown = p.value === null ? "—" : p.value.toFixed(1);
      row.append(cell("th", p.period), cell("td", p.numerator), cell("td", p.denominator), cell("td", shown));
      return row;
    });
    // A withheld period says so in every column: its counts never reach the browser.
    const withheldRows = (preview.withheld || []).map((w) => {
      const row = document.createElement("tr");
      row.append(cell("th", w.period), cell("td", "not shown"), cell("td", "not shown"), cell("td", "not shown"));
      return row;
    });
    rows.replaceChildren(...shownRows, ...withheldRows);
    numbers.hidden = shownRows.length + withheldRows.length === 0;
    if (preview.error) setStatus(`The definition is valid but the warehouse could not compute it: ${preview.error}`, "check-bad");
    else if (preview.refusal) setStatus(`The definition is valid. ${preview.refusal}`, "check-bad");
    else if (!preview.periods.length) setStatus("The definition is valid. The warehouse has no rows for it yet.", "check-ok");
    else setStatus("The definition is valid. Preview updated.", "check-ok");
  }

  async function check() {
    const mine = ++sent;
    setStatus("Checking…");
    try {
      const response = await fetch(form.dataset.checkUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        credentials: "same-origin",
        body: JSON.stringify(definition()),
      });
      if (mine !== sent) return;
      if (!response.ok) { setStatus(`Could not check the definition (${response.status}).`, "check-bad"); return; }
      const answer = await response.json();
      if (mine !== sent) return;
      if (answer.valid) showPreview(answer.preview);
      else showProblems(answer.problems);
    } catch (error) {
      if (mine === sent) setStatus("Could not reach the server to check the definition.", "check-bad");
    }
  }

  function later(event) {
    if (event.target.name) touched.add(event.target.name);
    clearTimeout(timer);
    timer = setTimeout(check, DELAY);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  if (editing) check();
})();
