// Small behaviours shared by every page. No inline scripts: a Content-Security-Policy can forbid them.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.submit();
  }
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});

// A table wider than its box scrolls inside it (.table-responsive): keyboard users must be able to scroll it too,
// so such a box takes the focus and is announced as a region named after its table (WCAG 2.1.1).
function makeScrollingTablesFocusable() {
  document.querySelectorAll(".table-responsive").forEach((box) => {
    if (box.scrollWidth <= box.clientWidth || box.hasAttribute("tabindex")) {
      return;
    }
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
      const table = box.querySelector("table");
      const caption = table && table.caption ? table.caption.textContent.trim() : "";
      let heading = box.previousElementSibling;
      while (heading && !/^H[1-6]$/.test(heading.tagName)) {
        heading = heading.previousElementSibling;
      }
      const name = caption || (heading ? heading.textContent.trim() : "") || document.title;
      box.setAttribute("aria-label", name);
    }
  });
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", makeScrollingTablesFocusable);
} else {
  makeScrollingTablesFocusable();
}
window.addEventListener("resize", makeScrollingTablesFocusable);
document.addEventListener("htmx:afterSettle", makeScrollingTablesFocusable);
