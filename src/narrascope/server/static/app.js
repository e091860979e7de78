// narrascope web UI behaviour: layer toggles and focusing one narrative on the document page.
// No document text is ever inserted here; the server renders all text, escaped.
(function () {
  "use strict";
  var article = document.getElementById("article");
  if (!article) return;

  // A toggle with data-scope="page" switches a class on the whole page (article and side panels).
  var page = document.querySelector(".docpage") || article;
  document.querySelectorAll("input[data-toggle]").forEach(function (box) {
    box.addEventListener("change", function () {
      var target = box.getAttribute("data-scope") === "page" ? page : article;
      target.classList.toggle(box.getAttribute("data-toggle"), box.checked);
    });
  });

  // Clicking a narrative's swatch shows only its evidence; clicking it again shows all.
  var focused = null;
  document.querySelectorAll("button.focus").forEach(function (button) {
    button.addEventListener("click", function () {
      var label = button.getAttribute("data-label");
      focused = focused === label ? null : label;
      article.classList.toggle("focused", focused !== null);
      article.querySelectorAll("mark.ev").forEach(function (mark) {
        mark.classList.toggle("focus-on", mark.getAttribute("data-label") === focused);
      });
      document.querySelectorAll("li.narrative").forEach(function (item) {
        item.classList.toggle("focus-on", item.getAttribute("data-label") === focused);
      });
      if (focused !== null) {
        var first = article.querySelector("mark.ev.focus-on");
        if (first) {
          var block = first.closest("details");
          if (block) block.open = true;
          first.scrollIntoView({ behavior: "smooth", block: "center" });
        }
      }
    });
  });
})();
