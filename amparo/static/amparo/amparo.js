// Small behaviours without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.dataset.autosubmit !== undefined && target.form) {
    target.form.submit();
  }
});
document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target.closest("[data-confirm]") : null;
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
  }
});
document.addEventListener("click", (event) => {
  const toggle = event.target instanceof Element ? event.target.closest(".nav-toggle") : null;
  if (!toggle) return;
  const links = document.getElementById(toggle.getAttribute("aria-controls"));
  const open = links.classList.toggle("open");
  toggle.setAttribute("aria-expanded", String(open));
});
// Filter panels marked data-open-on-desktop start open on wide screens, closed on phones.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.matchMedia("(min-width: 769px)").matches) return;
  document.querySelectorAll("details[data-open-on-desktop]").forEach((details) => { details.open = true; });
});
// Person pickers search as one types: Enter in their search box must not submit the form around it.
document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (event.key === "Enter" && target instanceof HTMLInputElement && target.dataset.pickerSearch !== undefined) {
    event.preventDefault();
  }
});
