// newsdesk pages: progressive enhancement only. Without this file, citations are plain
// links to the cited sentence (highlighted by CSS :target). With it, hovering a citation
// previews the sentence (tooltip + soft highlight) and clicking marks it and scrolls to it.
(function () {
  "use strict";
  var current = null;

  function targetOf(link) {
    var id = link.getAttribute("data-target");
    return id ? document.getElementById(id) : null;
  }

  function mark(el) {
    if (current) { current.classList.remove("hl"); }
    current = el;
    el.classList.add("hl");
  }

  function init() {
    var links = document.querySelectorAll("a.cite[data-target]");
    Array.prototype.forEach.call(links, function (link) {
      var el = targetOf(link);
      if (!el) { return; }
      link.title = el.textContent;  // textContent: the sentence stays text
      link.addEventListener("mouseenter", function () { el.classList.add("peek"); });
      link.addEventListener("mouseleave", function () { el.classList.remove("peek"); });
      link.addEventListener("focus", function () { el.classList.add("peek"); });
      link.addEventListener("blur", function () { el.classList.remove("peek"); });
      link.addEventListener("click", function (event) {
        event.preventDefault();
        mark(el);
        el.scrollIntoView({ behavior: "smooth", block: "center" });
        if (history.replaceState) { history.replaceState(null, "", "#" + el.id); }
      });
    });
    if (location.hash) {
      var start = document.getElementById(location.hash.slice(1));
      if (start && start.parentNode && start.parentNode.classList.contains("sentences")) {
        mark(start);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
