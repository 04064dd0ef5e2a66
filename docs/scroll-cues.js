// Content that scrolls sideways says so: a fade at each edge that has more
// (extra.css draws it from the classes set here). Code blocks, printed
// outputs, tables, formulas and figures can be wider than a phone's column;
// without a cue, what is past the edge looks cut off.
//
// Any element of the page's content that scrolls sideways (overflow-x auto
// or scroll, and wider inside than its box) gets the class "scroll-cue",
// and "scroll-cue--left" / "scroll-cue--right" while there is more that way.
// Marked again when the window's size, the content (a Run's output) or the
// scroll position changes. Parts of a page that change many times a second
// but never change a width (the playground's numbers and pictures) say so
// with a data-live attribute: their changes are not looked at.
//
// A printed output without columns (an error message, a list, a repr) wraps
// instead, with the class "wraps": its lines mean the same on two lines.
// Columns keep their lines and scroll: two spaces inside a line (a trace's
// table, a numpy array), or two lines in a row with their spaces at the same
// places (numbers printed one line under the other, to be compared).
(function () {
  "use strict";

  const marked = new Set();
  const wrapped = new Set();

  function hasColumns(text) {
    if (/\S {2,}\S/.test(text)) return true;
    const spaces = text.split("\n").map((line) => {
      const start = line.search(/\S/); // the indentation is no column
      return Array.from(line.trimEnd().matchAll(/ /g), (space) => space.index)
        .filter((at) => at > start)
        .join();
    });
    return spaces.some((at, i) => i > 0 && at.includes(",") && at === spaces[i - 1]);
  }

  // Printed output: a Run's, or a page's "Output" block (pre > code under its title).
  function isOutput(node) {
    if (node.matches(".run-output__printed")) return true;
    const block = node.matches("pre > code") && node.closest(".highlight");
    const title = block && block.querySelector(":scope > .filename");
    return Boolean(title && title.textContent.trim() === "Output");
  }

  function wrap(node) {
    const wraps = !hasColumns(node.textContent);
    node.classList.toggle("wraps", wraps);
    if (wraps) wrapped.add(node);
    else wrapped.delete(node);
  }

  function scrolls(node) {
    if (node.scrollWidth <= node.clientWidth + 1) return false;
    const overflow = getComputedStyle(node).overflowX;
    return overflow === "auto" || overflow === "scroll";
  }

  function mark(node) {
    const wide = scrolls(node);
    node.classList.toggle("scroll-cue", wide);
    node.classList.toggle("scroll-cue--left", wide && node.scrollLeft > 1);
    node.classList.toggle(
      "scroll-cue--right",
      wide && node.scrollLeft + node.clientWidth < node.scrollWidth - 1,
    );
    if (wide && !marked.has(node)) {
      marked.add(node);
      node.addEventListener("scroll", () => mark(node), { passive: true });
    }
  }

  let frame = null;
  function markAll() {
    frame = null;
    const content = document.querySelector(".md-content");
    if (!content) return;
    for (const set of [marked, wrapped])
      for (const node of set) if (!node.isConnected) set.delete(node);
    for (const node of wrapped) wrap(node); // a Run printed something else
    for (const node of marked) mark(node);
    for (const node of content.querySelectorAll("*")) {
      if (marked.has(node) || node.scrollWidth <= node.clientWidth + 1) continue;
      if (isOutput(node)) wrap(node);
      mark(node);
    }
  }

  function later() {
    if (!frame) frame = requestAnimationFrame(markAll);
  }

  window.addEventListener("resize", later);
  document.addEventListener("change", later); // a content tab picked
  document.addEventListener("toggle", later, true); // a collapsed block opened
  const live = (node) => {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return Boolean(element && element.closest("[data-live]"));
  };
  new MutationObserver((records) => {
    if (!records.every((record) => live(record.target))) later();
  }).observe(document.body, {
    childList: true,
    subtree: true,
    characterData: true, // a Run's output growing
    attributes: true,
    attributeFilter: ["hidden"],
  });
  // Fonts (the math font) change widths once they load; instant navigation swaps the content.
  if (document.fonts) document.fonts.ready.then(later);
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(later);
  later();
})();
