// Answering pages: autosave status and retries, show-if rules, conflict choices.
// Saving itself is htmx (hx-post on each [data-question] container); this file only adds behaviour around it.
// Tables (totals, marks on cells that are not saved, paste, arrow keys) are in grids.js.
// Texts come from Django's JavaScript catalogue (gettext, interpolate: /jsi18n/, loaded by base.html).
(function () {
  "use strict";
  const form = document.getElementById("section-form");
  if (!form) return;
  const retries = new WeakMap();

  // The bar of Save buttons sticks to the bottom of the screen: what gets the focus (a cell reached with Enter or
  // Tab, a link's target) is scrolled to above it, never under it (WCAG 2.4.11). Its height changes with the width.
  // On a phone the bar does not stick (static/css/grids.css): nothing to keep clear of.
  const bar = form.querySelector(".sticky-bottom");
  const sticks = () => bar && getComputedStyle(bar).position === "sticky";
  function padForBar() {
    document.documentElement.style.scrollPaddingBottom = sticks() ? bar.offsetHeight + 8 + "px" : "";
  }
  padForBar();
  window.addEventListener("resize", padForBar);
  // The browser's own scrolling on focus (Tab, a script's focus()) does not heed that padding: heed it here.
  form.addEventListener("focusin", (e) => {
    const field = e.target;
    if (!sticks() || bar.contains(field) || !field.getBoundingClientRect) return;
    if (field.getBoundingClientRect().bottom > bar.getBoundingClientRect().top) {
      field.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  });

  // Whatever the page adds or changes above the field the person is in (the save status under a question's title,
  // the question's list of cells not saved, a message under a cell of the row above) leaves that field where it was
  // on the screen: the table does not jump under their finger while they type on (the newcomer walk saw 207 px).
  function focusAnchor() {
    const active = document.activeElement;
    return active && active !== document.body ? { element: active, top: active.getBoundingClientRect().top } : null;
  }
  function backInPlace(anchor) {
    if (!anchor || !anchor.element.isConnected || document.activeElement !== anchor.element) return;
    const moved = anchor.element.getBoundingClientRect().top - anchor.top;
    if (Math.abs(moved) >= 1) window.scrollBy({ top: moved, behavior: "instant" });
  }
  function keepingFocusInPlace(change) {
    const anchor = focusAnchor();
    change();
    backInPlace(anchor);
  }
  window.oscethbKeepingFocusInPlace = keepingFocusInPlace; // grids.js marks cells with it

  let swapping = null; // the focused field and where it was when an autosave's answer began to be swapped in
  document.body.addEventListener("htmx:beforeSwap", () => (swapping = focusAnchor()));
  document.body.addEventListener("htmx:afterSwap", () => {
    backInPlace(swapping);
    swapping = null;
  });

  function status(container, html, state) {
    const box = container.querySelector(".save-status");
    if (box) keepingFocusInPlace(() => (box.innerHTML = '<span data-save-state="' + state + '">' + html + "</span>"));
  }

  // --- autosave status -------------------------------------------------------------------------------------
  form.addEventListener("input", (e) => markDirty(e.target));
  form.addEventListener("change", (e) => markDirty(e.target));
  function markDirty(target) {
    const container = target.closest && target.closest("[data-question]");
    if (container && target.name && !target.name.startsWith("v|") && !target.name.startsWith("o|")) {
      container.dataset.dirty = "true";
    }
  }
  document.body.addEventListener("htmx:beforeRequest", (e) => {
    const container = e.detail.elt.closest("[data-question]");
    if (container) status(container, gettext("Saving…"), "saving");
  });
  document.body.addEventListener("htmx:afterRequest", (e) => {
    const container = e.detail.elt.closest("[data-question]");
    if (!container) return;
    const xhr = e.detail.xhr;
    const answered = e.detail.successful && xhr && xhr.responseText.includes("data-save-state");
    if (answered) {
      retries.delete(container);
      const state = container.querySelector("[data-save-state]");
      // "partial": every valid cell is saved and the mistyped ones are kept by the server (shown again, marked):
      // leaving the page loses nothing, so nothing is pending any more.
      if (state && (state.dataset.saveState === "saved" || state.dataset.saveState === "partial")) {
        delete container.dataset.dirty;
      }
      applyShowIf();
      return;
    }
    if (xhr && (xhr.status === 401 || (e.detail.successful && !answered))) {
      // The login expired (or something other than our answer came back): keep the answer, say so, try again,
      // so it is saved once the person has logged in again in another tab.
      status(
        container,
        gettext("Not saved: your login has expired. Log in again in another tab; the answer is kept and will be saved then."),
        "login",
      );
      const attempt = (retries.get(container) || 0) + 1;
      retries.set(container, attempt);
      setTimeout(() => htmx.trigger(container, "oscethb:retry"), Math.min(30000, 2000 * attempt));
      return;
    }
    if (xhr && xhr.status === 403) {
      status(container, gettext("Read-only: not saved"), "readonly");
      return;
    }
    if (xhr && xhr.status >= 400 && xhr.status < 500 && xhr.status !== 408 && xhr.status !== 429) {
      // Refused for good (too large, malformed): retrying would not help; say so and keep the answer in the page.
      const refused = gettext(
        "Not saved: the server refused this answer (error %(status)s). Use the Save button or contact the Office.",
      );
      status(container, interpolate(refused, { status: xhr.status }, true), "error");
      return;
    }
    // Network down, server or database unavailable: keep the answer in the page and try again.
    const attempt = (retries.get(container) || 0) + 1;
    retries.set(container, attempt);
    const delay = Math.min(30000, 1000 * Math.pow(2, attempt - 1));
    status(container, gettext("Not saved, retrying…"), "retrying");
    setTimeout(() => htmx.trigger(container, "oscethb:retry"), delay);
  });
  // An autosave sends only its own question's fields (the page's form holds every question of the section).
  document.body.addEventListener("htmx:configRequest", (e) => {
    const container = e.detail.elt.closest && e.detail.elt.closest("[data-question]");
    const data = e.detail.formData;
    if (!container || !data) return;
    const code = container.dataset.question;
    const keep = (name) =>
      name === "csrfmiddlewaretoken" || name === "file|" + code ||
      name.startsWith(code + "|") || name.startsWith("v|" + code + "|") || name.startsWith("o|" + code + "|") ||
      name.startsWith("p|" + code + "|");
    Array.from(new Set(data.keys())).forEach((name) => {
      if (!keep(name)) data.delete(name);
    });
  });

  // Never lose an answer when the tab closes: warn while something is unsaved, and send what is pending.
  // Submitting the page's own form ("Save", "Save and continue") is not leaving: its post carries every value on
  // the page, so it neither warns nor sends the pending answers a second time beside it.
  let submitting = false;
  form.addEventListener("submit", () => {
    submitting = true;
  });
  window.addEventListener("pageshow", () => {
    submitting = false; // back on this page (from the browser's cache): leaving warns again
  });
  window.addEventListener("beforeunload", (e) => {
    // Only warn here: the person may choose to stay. What is pending is sent on pagehide, when they really leave.
    if (!submitting && form.querySelector("[data-question][data-dirty]")) {
      e.preventDefault();
      e.returnValue = "";
    }
  });
  window.addEventListener("pagehide", flushPending);
  function flushPending() {
    if (submitting) return;
    form.querySelectorAll("[data-question][data-dirty]").forEach((container) => {
      const url = container.getAttribute("hx-post");
      if (!url || "storesFiles" in container.dataset) return;
      const data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      container.querySelectorAll("input, select, textarea").forEach((input) => {
        if (!input.name || input.disabled) return;
        if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
        data.append(input.name, input.value);
      });
      try {
        fetch(url, { method: "POST", body: data, keepalive: true, credentials: "same-origin" });
      } catch (err) {
        /* the beforeunload warning still stands */
      }
    });
  }

  // --- show-if: the same rule the server applies ---------------------------------------------------------------
  function chosen(code, row) {
    const prefix = code + "|" + (row || "") + "|";
    return Array.from(form.querySelectorAll("input:checked")).filter((i) => i.name === prefix).map((i) => i.value);
  }
  function applyShowIf() {
    form.querySelectorAll("[data-show-if]").forEach((container) => {
      const rule = JSON.parse(container.dataset.showIf);
      // A rule on a question that is not on this page (another section, or not asked of this respondent) was
      // applied by the server when it built the page.
      if (!form.querySelector('[data-question="' + CSS.escape(rule.question) + '"]')) return;
      const values = chosen(rule.question, rule.row);
      const visible = values.some((v) => rule.in.includes(v));
      container.classList.toggle("d-none", !visible);
    });
  }
  form.addEventListener("change", applyShowIf);
  applyShowIf();

  // --- conflicts: the user chooses -----------------------------------------------------------------------------
  form.addEventListener("click", (e) => {
    const button = e.target.closest("[data-conflict-keep], [data-conflict-theirs]");
    if (!button) return;
    const box = button.closest("[data-conflict]");
    const cell = box.dataset.cell;
    const container = box.closest("[data-question]");
    const version = form.querySelector('[name="v|' + CSS.escape(cell) + '"]');
    const original = form.querySelector('[name="o|' + CSS.escape(cell) + '"]');
    // Either way the page now knows the other person's version and value, so the next save is not stale:
    // "keep mine" then saves the user's value over it; "use theirs" puts their value in the inputs.
    const theirs = button.dataset.original !== undefined ? button.dataset.original : button.dataset.value || "";
    if (version) version.value = button.dataset.version;
    if (original) original.value = theirs;
    if (button.hasAttribute("data-conflict-theirs")) setValue(cell, theirs);
    box.remove();
    container.dataset.dirty = "true";
    htmx.trigger(container, "oscethb:retry");
  });
  function setValue(name, value) {
    const inputs = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    const parts = value.split(";");
    inputs.forEach((input) => {
      if (input.type === "radio") input.checked = input.value === value;
      else if (input.type === "checkbox") input.checked = parts.includes(input.value);
      else input.value = value;
    });
    applyShowIf();
  }
})();
