// «Напечатать»: a button with data-print prints the page (no inline scripts: CSP).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
