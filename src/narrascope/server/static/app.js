// narrascope web UI behaviour: layer toggles, focusing one narrative, and the review keys on the document page.
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

  // Review: j/k move between reviewable items, a/r accept/reject the current one, p picks an evidence sentence
  // (then click it in the text), Esc cancels. The current item is remembered across the page reload a correction
  // causes.
  var items = Array.prototype.slice.call(document.querySelectorAll(".review-item"));
  var memory = "narrascope-review:" + location.pathname;
  var current = Math.min(parseInt(sessionStorage.getItem(memory) || "-1", 10), items.length - 1);
  var pickForm = document.getElementById("pick-form");
  function show(index) {
    items.forEach(function (item, i) { item.classList.toggle("kbd-focus", i === index); });
    current = index;
    sessionStorage.setItem(memory, String(index));
    if (index >= 0) items[index].scrollIntoView({ block: "nearest" });
  }
  function startPicking(label) {
    pickForm.elements.target.value = label;
    page.classList.add("picking");
  }
  document.querySelectorAll("button.pick").forEach(function (button) {
    button.addEventListener("click", function () { startPicking(button.getAttribute("data-label")); });
  });
  article.addEventListener("click", function (event) {
    if (!page.classList.contains("picking")) return;
    var sentence = event.target.closest(".sent");
    if (!sentence) return;
    event.preventDefault();
    pickForm.elements.start.value = sentence.getAttribute("data-start");
    pickForm.elements.end.value = sentence.getAttribute("data-end");
    pickForm.submit();
  });
  items.forEach(function (item, i) {
    item.addEventListener("click", function () { show(i); });
  });
  if (current >= 0) show(current);
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (event.ctrlKey || event.metaKey || event.altKey || tag === "input" || tag === "select" || tag === "textarea") return;
    var item = items[current];
    if (event.key === "j" && items.length) show(Math.min(current + 1, items.length - 1));
    else if (event.key === "k" && items.length) show(Math.max(current - 1, 0));
    else if (event.key === "a" && item) clickIn(item, "button.accept");
    else if (event.key === "r" && item) clickIn(item, "button.reject");
    else if (event.key === "p" && item && item.getAttribute("data-label") && pickForm) startPicking(item.getAttribute("data-label"));
    else if (event.key === "Escape") page.classList.remove("picking");
    else return;
    event.preventDefault();
  });
  function clickIn(item, selector) {
    // the item's own button, not one of a nested sub-narrative
    var buttons = Array.prototype.filter.call(item.querySelectorAll(selector), function (b) {
      return b.closest(".review-item") === item;
    });
    if (buttons.length) buttons[0].click();
  }
})();
