// Wide tables scroll inside their own box on a narrow screen, so the page never scrolls sideways;
// a box that scrolls is focusable (a keyboard user scrolls it with the arrow keys).
(function () {
  function fit(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      var box = table.parentElement;
      if (!box.classList.contains("table-responsive")) {
        box = document.createElement("div");
        box.className = "table-responsive";
        table.replaceWith(box);
        box.appendChild(table);
      }
      if (box.scrollWidth > box.clientWidth + 1) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", (table.caption && table.caption.textContent) || "表格（可左右滚动）");
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fit(document); });
  document.addEventListener("htmx:afterSettle", function () { fit(document); });
  var timer = null;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(function () { fit(document); }, 150); });
})();

// Behaviour declared by data attributes instead of inline handlers (the Content-Security-Policy
// allows no inline script): data-print prints the page, data-autosubmit sends its form on change.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) { window.print(); }
});
document.addEventListener("change", function (event) {
  var field = event.target.closest("[data-autosubmit]");
  if (field && field.form) { field.form.submit(); }
});
