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
