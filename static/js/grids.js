// Tables of answers ([data-grid]: breakdown tables, numbers per year) on the answering page:
// - totals per row, per year (subtotals), per column and in all, not counting a cell that is not a whole number,
//   and saying how many were left out;
// - the marks on the cells the server did not save (aria-invalid, the message next to the cell), kept in step with
//   the error summary each autosave sends back, and summary links that focus their cell;
// - paste of a block copied from a spreadsheet (tab-separated cells, one line per row), from the focused cell to
//   the right and down;
// - arrow keys move between cells (left/right only at the edge of the text), Enter moves down.
// The server checks and stores every value (surveys/answer_types/); this file never replaces what the person typed.
// Texts come from Django's JavaScript catalogue (ngettext, interpolate: /jsi18n/, loaded by base.html).
(function () {
  "use strict";
  const form = document.getElementById("section-form");
  if (!form) return;
  const language = document.documentElement.lang || undefined;

  // --- whole numbers, read as the server reads them (surveys/answer_types/cells.py: _clean_integer) -----------------
  // Spaces and no-break spaces are removed ("1 234"); "," "." and "'" are thousands separators only between
  // groups of three digits ("1,234", "1.234", "1'234"); anything else ("12a", "1,5") is not a whole number.
  function wholeNumber(raw, min, max) {
    let t = (raw || "").trim();
    if (t === "") return { empty: true };
    t = t.replace(/[\u00a0 ]/g, "");
    if (/^[+-]?\d{1,3}([,.']\d{3})+$/.test(t)) t = t.replace(/[,.']/g, "");
    if (!/^[+-]?\d{1,19}$/.test(t)) return { invalid: true };
    const n = Number(t);
    if (Math.abs(n) >= 1e15 || (min !== null && n < min) || (max !== null && n > max)) return { invalid: true };
    return { value: n };
  }
  const bound = (value) => (value === undefined || value === "" ? null : Number(value));

  // --- totals ---------------------------------------------------------------------------------------------------
  // A total over cells that hold no figure at all is no figure ("—"), not 0: the form asks for 0 only for a real zero.
  function show(cell, sum, skipped, counted) {
    if (!cell) return;
    const figure = counted > 0 ? sum.toLocaleString(language) : "—";
    const note = ngettext("(cell not counted: %(count)s)", "(cells not counted: %(count)s)", skipped);
    cell.textContent = figure + (skipped ? " " + interpolate(note, { count: skipped.toLocaleString(language) }, true) : "");
    cell.classList.toggle("grid-total-partial", skipped > 0);
  }
  function totals(table) {
    const min = bound(table.dataset.min);
    const max = bound(table.dataset.max);
    const columns = [];
    const columnsSkipped = [];
    const columnsCounted = [];
    let grand = 0;
    let grandSkipped = 0;
    let grandCounted = 0;
    table.querySelectorAll("tbody").forEach((body) => {
      const group = [];
      const groupSkipped = [];
      const groupCounted = [];
      let groupSum = 0;
      let groupBad = 0;
      let groupFilled = 0;
      body.querySelectorAll("tr[data-row]").forEach((row) => {
        let sum = 0;
        let bad = 0;
        let filled = 0;
        inputsOf(row).forEach((input, i) => {
          const read = wholeNumber(input.value, min, max);
          const counted = read.value === undefined || read.value === null ? 0 : 1;
          const n = read.value || 0;
          const skipped = read.invalid ? 1 : 0;
          sum += n;
          bad += skipped;
          filled += counted;
          group[i] = (group[i] || 0) + n;
          groupSkipped[i] = (groupSkipped[i] || 0) + skipped;
          groupCounted[i] = (groupCounted[i] || 0) + counted;
          columns[i] = (columns[i] || 0) + n;
          columnsSkipped[i] = (columnsSkipped[i] || 0) + skipped;
          columnsCounted[i] = (columnsCounted[i] || 0) + counted;
        });
        groupSum += sum;
        groupBad += bad;
        groupFilled += filled;
        show(row.querySelector("[data-row-total]"), sum, bad, filled);
      });
      const subtotal = body.querySelector("[data-subtotal]");
      if (subtotal) {
        subtotal.querySelectorAll("[data-subtotal-column]").forEach((cell) => {
          const i = Number(cell.dataset.subtotalColumn);
          show(cell, group[i] || 0, groupSkipped[i] || 0, groupCounted[i] || 0);
        });
        show(subtotal.querySelector("[data-subtotal-total]"), groupSum, groupBad, groupFilled);
      }
      grand += groupSum;
      grandSkipped += groupBad;
      grandCounted += groupFilled;
    });
    table.querySelectorAll("[data-column-total]").forEach((cell) => {
      const i = Number(cell.dataset.columnTotal);
      show(cell, columns[i] || 0, columnsSkipped[i] || 0, columnsCounted[i] || 0);
    });
    show(table.querySelector("[data-grand-total]"), grand, grandSkipped, grandCounted);
  }
  form.querySelectorAll("[data-breakdown]").forEach((table) => {
    totals(table);
    table.addEventListener("input", () => totals(table));
  });

  // --- cells the server did not save: marks next to the cells, in step with the question's error summary ---------
  function unmark(input) {
    input.removeAttribute("aria-invalid");
    input.classList.remove("is-invalid");
    const message = document.getElementById("err-" + input.id);
    if (message && message.matches("[data-cell-message]")) message.remove();
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== "err-" + input.id);
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
  }
  function mark(input, text) {
    input.setAttribute("aria-invalid", "true");
    input.classList.add("is-invalid");
    const id = "err-" + input.id;
    let message = document.getElementById(id);
    // A choice's options are described by its entry in the question's list (which has this id), not by a message
    // between an option and its label.
    const choice = input.type === "radio" || input.type === "checkbox";
    if (!message && !choice) {
      message = document.createElement("div");
      message.className = "cell-error";
      message.id = id;
      message.dataset.cellMessage = "";
      input.insertAdjacentElement("afterend", message);
    }
    if (message && !choice) message.textContent = text;
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (!described.includes(id)) input.setAttribute("aria-describedby", [...described, id].join(" "));
  }
  // A message added under a cell of a row above the one the person is in leaves that cell where it was on the
  // screen (answering.js, keepingFocusInPlace).
  function syncMarks(container) {
    if (!container) return;
    (window.oscethbKeepingFocusInPlace || ((change) => change()))(() => syncMarksNow(container));
  }
  function syncMarksNow(container) {
    const bad = new Map();
    container.querySelectorAll("[data-cell-errors] [data-cell-error]").forEach((item) => {
      bad.set(item.dataset.input, item.dataset.message);
    });
    container.querySelectorAll('[aria-invalid="true"]').forEach((input) => {
      if (!bad.has(input.id)) unmark(input);
    });
    bad.forEach((message, id) => {
      const input = document.getElementById(id);
      if (input && container.contains(input)) mark(input, message);
    });
  }
  document.body.addEventListener("htmx:afterSettle", (e) => {
    syncMarks(e.detail.elt && e.detail.elt.closest && e.detail.elt.closest("[data-question]"));
  });
  document.body.addEventListener("htmx:oobAfterSwap", (e) => {
    const target = e.detail.target;
    if (target && target.id && target.id.startsWith("cell-errors-")) syncMarks(target.closest("[data-question]"));
  });

  // A link of an error summary (the question's or the page's) takes the person to the cell and into it.
  document.addEventListener("click", (e) => {
    const link = e.target.closest && e.target.closest("[data-focus-cell]");
    if (!link) return;
    const input = document.getElementById(link.dataset.focusCell);
    if (!input) return;
    e.preventDefault();
    input.scrollIntoView({ block: "center", inline: "center" });
    input.focus();
  });
  const pageErrors = document.querySelector("[data-page-errors]");
  if (pageErrors) pageErrors.focus();
  // A link from another page to a cell (the review's and the submit confirmation's list of cells not saved,
  // ".../section/PRT.DATA/#id_PRT.DATA.01|2013...|foreign"): into that cell, not only next to it.
  if (!pageErrors && location.hash.length > 1) {
    let target = null;
    try {
      target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    } catch (err) {
      target = null; // a malformed fragment: stay at the top
    }
    if (target && form.contains(target) && target.matches("input, select, textarea")) {
      const into = () => {
        target.scrollIntoView({ block: "center", inline: "center" });
        target.focus({ preventScroll: true });
      };
      into();
      // The browser jumps to the fragment itself once the page has loaded (the cell then sat at the screen's top
      // edge, without its row or the question in view): centre it again after that.
      window.addEventListener("load", () => setTimeout(into, 0), { once: true });
    }
  }

  // --- moving between cells -------------------------------------------------------------------------------------
  function inputsOf(row) {
    return Array.from(row.querySelectorAll("input:not([type=hidden])"));
  }
  function where(input) {
    const table = input.closest("[data-grid]");
    const row = input.closest("tr[data-row]");
    if (!table || !row) return null;
    const rows = Array.from(table.querySelectorAll("tr[data-row]")).map(inputsOf);
    const r = rows.findIndex((cells) => cells.includes(input));
    return { table, rows, r, c: rows[r].indexOf(input) };
  }
  const cellAt = (rows, r, c) => (r >= 0 && r < rows.length && c >= 0 && c < rows[r].length ? rows[r][c] : null);

  form.addEventListener("keydown", (e) => {
    const input = e.target;
    if (!(input instanceof HTMLInputElement) || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const at = input.closest("[data-grid]") && where(input);
    if (!at) return;
    const { rows, r, c } = at;
    const start = input.selectionStart;
    const end = input.selectionEnd;
    const length = input.value.length;
    let target = null;
    if (e.key === "ArrowUp") target = cellAt(rows, r - 1, c);
    else if (e.key === "ArrowDown" || e.key === "Enter") target = cellAt(rows, r + 1, c);
    else if (e.key === "ArrowLeft" && start === 0 && end === 0) target = cellAt(rows, r, c - 1);
    else if (e.key === "ArrowRight" && start === length && end === length) target = cellAt(rows, r, c + 1);
    if (e.key === "Enter") e.preventDefault(); // in a table Enter moves down; it never sends the whole page
    if (!target) return;
    e.preventDefault();
    target.focus();
    target.select();
  });

  // --- paste a block from a spreadsheet -------------------------------------------------------------------------
  // Excel and LibreOffice copy a block as lines of tab-separated cells, with Windows line endings and a final line
  // break; a cell holding a line break or a tab comes in double quotes. Each value is put in its cell as it is
  // (thousands separators included): the server reads it as it reads typing, and reports what it cannot store.
  function splitBlock(raw) {
    let t = raw.replace(/\r\n?/g, "\n");
    if (t.endsWith("\n")) t = t.slice(0, -1);
    return t.split("\n").map((line) =>
      line.split("\t").map((value) => {
        const quoted = /^"([\s\S]*)"$/.exec(value.trim());
        return quoted ? quoted[1].replace(/""/g, '"').trim() : value.trim();
      }),
    );
  }
  function pasteStatus(table, message) {
    const box = table.closest("[data-grid-scroll]") || table;
    let status = box.parentElement.querySelector(":scope > [data-paste-status]");
    if (!status) {
      status = document.createElement("p");
      status.className = "small mb-1";
      status.setAttribute("role", "status");
      status.dataset.pasteStatus = "";
      box.insertAdjacentElement("afterend", status);
    }
    status.textContent = message;
  }
  form.addEventListener("paste", (e) => {
    const input = e.target;
    if (!(input instanceof HTMLInputElement) || !input.closest("[data-grid]")) return;
    const raw = (e.clipboardData && e.clipboardData.getData("text/plain")) || "";
    if (!/[\t\n\r]/.test(raw.replace(/[\r\n]+$/, ""))) return; // one value: the browser pastes it as usual
    const at = where(input);
    if (!at) return;
    e.preventDefault();
    let filled = 0;
    let overflow = 0;
    splitBlock(raw).forEach((values, i) =>
      values.forEach((value, j) => {
        const target = cellAt(at.rows, at.r + i, at.c + j);
        if (!target || target.disabled || target.readOnly) {
          overflow += 1;
          return;
        }
        target.value = value;
        filled += 1;
        target.dispatchEvent(new Event("input", { bubbles: true }));
      }),
    );
    // One change event: the question's autosave (hx-trigger "change delay") sends every pasted cell at once.
    input.dispatchEvent(new Event("change", { bubbles: true }));
    const pasted = ngettext(
      "Pasted %(count)s cell; it is being saved.",
      "Pasted %(count)s cells; they are being saved.",
      filled,
    );
    const left = ngettext(
      "%(count)s cell did not fit in the table and was not pasted.",
      "%(count)s cells did not fit in the table and were not pasted.",
      overflow,
    );
    pasteStatus(
      at.table,
      interpolate(pasted, { count: filled.toLocaleString(language) }, true) +
        (overflow ? " " + interpolate(left, { count: overflow.toLocaleString(language) }, true) : ""),
    );
  });
})();
