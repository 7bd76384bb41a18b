// Progressive enhancement only: every page works without this file.
// Drop empty filter fields from HTMX GET requests, so the address that hx-push-url puts in
// the location bar stays short and can be bookmarked or shared.
document.addEventListener("htmx:configRequest", function (event) {
  if (event.detail.verb !== "get") {
    return;
  }
  var params = event.detail.parameters;
  Object.keys(params).forEach(function (name) {
    if (params[name] === "") {
      delete params[name];
    }
  });
});

// The language switch posts the page's address as `next`; after HTMX has changed the address
// (filters, pages), keep `next` in step so switching language keeps the filters.
function keepLanguageNextInStep() {
  var here = location.pathname + location.search;
  document.querySelectorAll(".lang-switch input[name='next']").forEach(function (input) {
    input.value = here;
  });
}
document.addEventListener("htmx:pushedIntoHistory", keepLanguageNextInStep);
document.addEventListener("htmx:replacedInHistory", keepLanguageNextInStep);

// The extra list filters are open by default (desktops, and phones without JavaScript); on a
// phone they fold away unless one is in use, so the results start near the top of the screen.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.matchMedia("(max-width: 640px)").matches) {
    return;
  }
  document.querySelectorAll("details.more-filters:not([data-keep-open])").forEach(function (d) {
    d.open = false;
  });
});

// ==== Cases ====
// A refused step or approval redraws the whole case page with the reasons next to its form;
// bring that form into view (the page would otherwise open at its top).
document.addEventListener("DOMContentLoaded", function () {
  var refused = document.querySelector(
    "details.action-panel[open] .alert-error, .approval .alert-error, .approval .field-error"
  );
  if (!refused) {
    return;
  }
  var box = refused.closest("details.action-panel, .approval");
  box.scrollIntoView({ block: "start" });
  refused.setAttribute("tabindex", "-1");
  refused.focus({ preventScroll: true });
});
// ==== end of cases ====
