// The header's search box: "/" puts the cursor in it (unless you are typing somewhere), Escape
// closes its results, and they close when the focus leaves the box. Pages work without this file.
(function () {
  "use strict";
  function typing(element) {
    return element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  }
  document.addEventListener("keydown", function (event) {
    var input = document.getElementById("site-search-input");
    if (!input) return;
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target)) {
      event.preventDefault();
      input.focus();
      input.select();
    } else if (event.key === "Escape" && event.target === input) {
      document.getElementById("site-search-results").replaceChildren();
    }
  });
  document.addEventListener("focusout", function (event) {
    var form = document.getElementById("site-search");
    if (form && form.contains(event.target) && !form.contains(event.relatedTarget)) {
      document.getElementById("site-search-results").replaceChildren();
    }
  });
})();
