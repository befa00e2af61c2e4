// Report form: as the citizen types the description, suggest a topic ("Có phải: Chiếu sáng công cộng?") with a
// one-click "choose it". The words come from the server (/suggest-topic/ answers in the page's language) and the
// template (the button); no inline script (CSP).
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  var box = document.getElementById("topic-suggestion");
  var topic = document.getElementById("id_topic");
  var description = document.getElementById("id_description");
  if (!form || !box || !topic || !description || !form.dataset.suggestUrl) return;
  var text = document.getElementById("topic-suggestion-text");
  var choose = document.getElementById("topic-suggestion-choose");
  var timer = null;
  var suggested = null;

  function hide() { box.hidden = true; suggested = null; }

  function lookup() {
    var typed = description.value.trim();
    if (typed.length < 6) { hide(); return; }
    fetch(form.dataset.suggestUrl + "?text=" + encodeURIComponent(typed.slice(0, 2000)), {
      headers: { Accept: "application/json" }, credentials: "same-origin"
    }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (d) {
      if (description.value.trim() !== typed) return; // the citizen typed on
      box.dataset.checked = typed; // what the last answer was about (tests wait for it)
      if (!d.suggest || d.id === null || String(d.id) === topic.value) { hide(); return; }
      suggested = String(d.id);
      text.textContent = d.message;
      box.hidden = false;
    }).catch(hide);
  }

  description.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 400);
  });
  topic.addEventListener("change", function () {
    if (suggested !== null && topic.value === suggested) hide();
  });
  choose.addEventListener("click", function () {
    if (suggested === null) return;
    topic.value = suggested;
    topic.dispatchEvent(new Event("change", { bubbles: true })); // the "me too" lookup follows the topic
    hide();
    topic.focus();
  });
})();
