// Behaviour shared by every page, without inline handlers (the Content-Security-Policy
// allows only our own script files):
// - <form data-confirm="Question?">: ask before submitting; "Cancel" keeps the page.
// - <a data-query-from="ID" data-query-param="NAME" href="URL">: on click, go to
//   URL?NAME=<value of the field with id ID> (e.g. a template for the chosen region).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("click", function (event) {
    const link = event.target instanceof Element ? event.target.closest("a[data-query-from]") : null;
    if (!link) {
      return;
    }
    const field = document.getElementById(link.dataset.queryFrom);
    const url = new URL(link.getAttribute("href"), window.location.href);
    url.searchParams.set(link.dataset.queryParam, field ? field.value : "");
    link.href = url.toString();
  });
})();
