// "All our answers": the Print button opens the browser's print dialog (the page has its own print styles).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
