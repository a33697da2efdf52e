// Review queue: "j" and "k" move the focus to the next and the previous proposal. Only while the focus is
// inside the list of proposals and not in a field that takes letters (WCAG 2.1.4, character key
// shortcuts); without JavaScript, Tab and the skip link do the same job.
(function () {
  "use strict";
  var list = document.getElementById("queue-entries");
  if (!list) {
    return;
  }
  var hint = document.getElementById("queue-keys-hint");
  if (hint) {
    hint.hidden = false;
  }
  list.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || (event.key !== "j" && event.key !== "k")) {
      return;
    }
    if (event.target.closest("input[type=text], textarea, select")) {
      return;
    }
    var proposals = Array.prototype.slice.call(list.querySelectorAll("article.proposal"));
    var index = proposals.indexOf(event.target.closest("article.proposal"));
    var next = proposals[index + (event.key === "j" ? 1 : -1)];
    if (index >= 0 && next) {
      event.preventDefault();
      next.focus();
      next.scrollIntoView({block: "start"});
    }
  });
})();
