// Fields marked data-select-on-focus (the private link on the confirmation page) select their whole text when
// clicked or focused, ready to copy. A file, not an inline onclick: the Content-Security-Policy forbids those.
document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
  field.addEventListener("focus", function () { field.select(); });
  field.addEventListener("click", function () { field.select(); });
});
