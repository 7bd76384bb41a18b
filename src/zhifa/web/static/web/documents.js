// Progressive enhancement only: every form works without this file.
// The service form of an issued document shows only the fields of the chosen method of
// service (each field lists its methods in data-methods); without a method, all of them.
(function () {
  function update(form) {
    var select = form.querySelector("select[name='method']");
    var method = select ? select.value : "";
    form.querySelectorAll("[data-methods]").forEach(function (box) {
      var methods = box.getAttribute("data-methods").split(" ");
      box.hidden = method !== "" && methods.indexOf(method) === -1;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-service-form]").forEach(function (form) {
      update(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "method") {
          update(form);
        }
      });
    });
  });
})();
