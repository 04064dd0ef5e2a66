// The docs' Run buttons: run a page's code blocks in the reader's browser.
//
// docs/_hooks/run_buttons.py marks the runnable blocks (data-run-block) of the
// pages whose front matter says "runnable: true"; nothing here is specific to
// a page. Each marked block gets a Run button, an Edit button and an output
// area right below it. Python (Pyodide with numpy and nanonet) runs in a Web
// Worker (worker.js), from files the site itself serves (run/pyodide/);
// nothing is fetched from anywhere else.
//
// Python starts loading when the reader shows intent (the pointer on a block,
// the keyboard focus in one) or after the page has been at rest for a moment,
// so that the first Run answers at once. One Python serves the whole visit:
// Material's instant navigation keeps this script, and a new page only gets a
// fresh namespace. Stop ends the worker; a fresh one loads at once.
//
// A page's blocks run in one namespace, in page order, as the docs tests run
// them: Run on a block whose predecessors have not run yet runs those first,
// and shows their outputs below them too. A block the reader stopped is not
// run again that way: it is skipped, and says so.
//
// For other scripts of the site (a Check button, the playground page):
// window.nanonetPython(onStatus) returns the site's Python (see the Python
// class and worker.js for the requests it takes); onStatus, if given, hears
// how loading goes. A page without runnable blocks asks for Python with an
// element marked data-run-python (the build adds what to load to it).
// window.nanonetBlocks() returns the current page's blocks, each with
// run(after, origin): Run it (and the blocks above it first), then await
// after(python), or after(null) if it raised, while the page is busy and Stop
// can end it (docs/run/exercises.js, the Check buttons). Another script's
// button in a block's bar that starts a run carries data-starts-run, and is
// disabled while one goes; its element in the output area carries
// data-run-extra, and is hidden when the block runs again.
(function () {
  "use strict";

  const here = document.currentScript.src;
  const RUNTIME = new URL("pyodide/", here).href;
  const WORKER = new URL("worker.js", here).href;
  const RUNNER = new URL("runner.py", here).href;
  const EDITOR = new URL("editor.js", here).href;
  const NOT_INCLUDED = "The in-page Python was not included in this build; see README.";
  const TRACEBACK_LINES = 10; // a traceback shows its last lines: where it failed, and why
  const IDLE_DELAY = 1000; // ms of a page at rest before Python starts loading (it takes 5-7 s)

  class Stopped extends Error {}

  // One Python (one worker), and the requests in flight (worker.js lists them).
  class Python {
    constructor(packages) {
      this.worker = new Worker(WORKER);
      this.pending = new Map(); // id: {resolve, reject, onEvent}
      this.lastId = 0;
      this.status = "Loading Python (step 1 of 3)…"; // while it loads
      this.listeners = new Set(); // who shows the loading status
      this.worker.onmessage = (event) => this.receive(event.data);
      this.worker.onerror = (event) => {
        event.preventDefault();
        this.fail(new Error(event.message || "the in-page Python failed to start"));
      };
      const load = { type: "load", runtime: RUNTIME, runner: RUNNER, packages };
      this.ready = this.request(load, (message) => {
        this.status = message.text;
        for (const listener of this.listeners) listener(message.text);
      });
      this.ready.then(() => (this.status = null)).catch(() => {});
    }

    // Send a request; the promise settles with its "done" message, and
    // onEvent gets every message before it (progress, output, picture).
    request(message, onEvent) {
      const id = ++this.lastId;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject, onEvent: onEvent || (() => {}) });
        this.worker.postMessage({ ...message, id });
      });
    }

    receive(message) {
      const request = this.pending.get(message.id);
      if (!request) return;
      if (message.type === "done" || message.type === "failed") this.pending.delete(message.id);
      if (message.type === "done") request.resolve(message);
      else if (message.type === "failed") request.reject(new Error(message.text));
      else request.onEvent(message);
    }

    fail(error) {
      this.failed = true;
      for (const request of this.pending.values()) request.reject(error);
      this.pending.clear();
    }

    terminate() {
      this.worker.terminate();
      this.fail(new Stopped("stopped"));
    }
  }

  let python = null; // the site's one Python, kept across pages
  let packages = null; // what it loads: the page's data-run-packages

  function startPython() {
    if (!python || python.failed) python = new Python(packages); // a failed one: afresh
    return python;
  }

  // Other scripts of the site ask for the same Python: a Promise, settled when it has loaded.
  window.nanonetPython = (onStatus) => {
    const asked = document.querySelector("[data-run-python][data-run-packages]");
    if (!packages && asked) packages = asked.dataset.runPackages.split(" ");
    if (!packages) return Promise.reject(new Error(NOT_INCLUDED));
    const started = startPython();
    if (onStatus && started.status) {
      onStatus(started.status);
      started.listeners.add(onStatus);
      started.ready.catch(() => {}).finally(() => started.listeners.delete(onStatus));
    }
    return started.ready.then(() => started);
  };

  let editorModule = null;
  function loadEditor() {
    editorModule = editorModule || import(EDITOR);
    return editorModule;
  }

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    if (text) node.textContent = text;
    return node;
  }

  function button(label, className) {
    const node = element("button", { type: "button", class: `run-button ${className}` });
    node.append(element("span", { class: "run-button__icon", "aria-hidden": "true" }), label);
    return node;
  }

  function theme() {
    return document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "light";
  }

  function plural(count, word) {
    return `${count.toLocaleString("en")} ${word}${count === 1 ? "" : "s"}`;
  }

  // A picture's SVG, without what could run code (its own script, event
  // attributes, javascript: links), as an element for the page.
  function cleanSVG(text) {
    const svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
    if (svg.nodeName !== "svg") return null;
    for (const node of svg.querySelectorAll("script, foreignObject")) node.remove();
    for (const node of [svg, ...svg.querySelectorAll("*")]) {
      for (const { name, value } of Array.from(node.attributes)) {
        if (/^on/i.test(name) || /^\s*javascript:/i.test(value)) node.removeAttribute(name);
      }
    }
    return document.importNode(svg, true);
  }

  // The plain text area that edits a block when the editor (editor.js) is not in the site.
  function plainEditor({ parent, doc, label, onRun }) {
    const area = element("textarea", {
      class: "run-editor__plain",
      spellcheck: "false",
      autocapitalize: "off",
      autocomplete: "off",
      wrap: "off",
      "aria-label": label,
    });
    area.value = doc;
    const fit = () => (area.rows = area.value.split("\n").length);
    fit();
    area.addEventListener("input", fit);
    area.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        onRun();
      }
    });
    parent.append(area);
    return { code: () => area.value, focus: () => area.focus(), destroy: () => area.remove() };
  }

  // One runnable block: its buttons, its editor and its output area.
  class Block {
    constructor(page, node, index) {
      this.page = page;
      this.node = node;
      this.index = index;
      this.name = `code block ${index + 1}`;
      this.original = node.querySelector("code").textContent;
      this.editor = null;
      this.stopped = false; // the reader stopped it: a later block's Run skips it
      this.text = "";
      this.hidden = 0;
      this.urls = []; // the object URLs of its pictures, freed on the next run

      this.runButton = button("Run", "run-button--run");
      this.stopButton = button("Stop", "run-button--stop");
      this.editButton = button("Edit", "run-button--edit");
      this.resetButton = button("Reset", "run-button--reset");
      this.stopButton.hidden = this.resetButton.hidden = true;
      this.status = element("span", { class: "run-status", role: "status", "aria-live": "polite" });
      const bar = element("div", { class: "run-bar", role: "group", "aria-label": this.name });
      bar.append(this.runButton, this.stopButton, this.editButton, this.resetButton, this.status);
      this.bar = bar;
      this.runButton.dataset.startsRun = "";

      this.output = element("div", {
        class: "run-output",
        role: "region",
        "aria-label": `Output of ${this.name}`,
        "aria-live": "polite",
      });
      this.output.hidden = true;
      this.printed = element("pre", { class: "run-output__printed", tabindex: "0" });
      this.more = element("p", { class: "run-output__more" });
      this.figures = element("div", { class: "run-output__figures" });
      this.error = element("pre", { class: "run-output__error" });
      this.note = element("p", { class: "run-output__note" });
      this.output.append(element("div", { class: "run-output__label" }, "Printed in your browser"));
      this.output.append(this.printed, this.more, this.figures, this.error, this.note);
      node.after(bar, this.output);

      if (!page.packages) {
        // Still a button (a click shows why it cannot run); its tooltip says so first.
        this.runButton.title = NOT_INCLUDED;
        this.runButton.classList.add("run-button--unavailable");
      }
      this.runButton.addEventListener("click", () => page.run(this));
      this.stopButton.addEventListener("click", () => page.stop(this));
      this.editButton.addEventListener("click", () => this.edit());
      this.resetButton.addEventListener("click", () => this.reset());
      // Intent: the reader may run this block soon.
      for (const part of [node, bar]) {
        part.addEventListener("pointerenter", () => page.warm(), { once: true });
        part.addEventListener("focusin", () => page.warm(), { once: true });
      }
    }

    code() {
      return this.editor ? this.editor.code() : this.original;
    }

    // What other scripts of the site get (window.nanonetBlocks()).
    handle() {
      return {
        node: this.node,
        bar: this.bar,
        output: this.output,
        name: this.name,
        code: () => this.code(),
        say: (text) => this.say(text),
        run: (after, origin) => this.page.run(this, after, origin),
      };
    }

    // Edit in CodeMirror (editor.js, built from pinned npm packages), or in a
    // plain text area if the site was built without it. The highlighted code
    // stays as it is until the reader asks to edit.
    async edit() {
      const pre = this.node.querySelector("pre");
      const parent = element("div", { class: "run-editor" });
      const options = {
        parent,
        doc: this.original.replace(/\n$/, ""),
        label: `${this.name}, editable: Ctrl+Enter runs it; Escape, then Tab, leaves the editor`,
        onRun: () => this.page.run(this),
      };
      this.editButton.hidden = true;
      this.resetButton.hidden = false;
      pre.after(parent);
      try {
        this.editor = (await loadEditor()).createEditor(options);
      } catch (error) {
        this.editor = plainEditor(options);
      }
      this.editorNode = parent;
      pre.hidden = true;
      this.editor.focus();
    }

    reset() {
      if (!this.editor) return;
      this.editor.destroy();
      this.editorNode.remove();
      this.editor = null;
      this.node.querySelector("pre").hidden = false;
      this.resetButton.hidden = true;
      this.editButton.hidden = false;
      this.editButton.focus();
    }

    say(text) {
      this.status.textContent = text;
    }

    clear() {
      cancelAnimationFrame(this.frame); // drop a repaint still pending from an earlier run
      this.frame = null;
      this.text = "";
      this.hidden = 0;
      for (const url of this.urls) URL.revokeObjectURL(url);
      this.urls = [];
      this.figures.replaceChildren();
      this.printed.textContent = this.more.textContent = "";
      this.error.textContent = this.note.textContent = "";
      this.printed.hidden = this.more.hidden = this.figures.hidden = true;
      this.error.hidden = this.note.hidden = true;
      for (const extra of this.output.querySelectorAll("[data-run-extra]")) extra.hidden = true;
      this.output.hidden = true; // shown when something is printed
    }

    // Printed text arrives in batches (worker.js keeps the first lines and
    // counts the rest); the page repaints at most once a frame.
    print(text, hidden) {
      this.text += text;
      this.hidden = hidden;
      if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
    }

    render() {
      cancelAnimationFrame(this.frame);
      this.frame = null;
      this.printed.textContent = this.text;
      this.more.textContent = this.hidden ? `… ${plural(this.hidden, "more line")}` : "";
      this.printed.hidden = !this.text;
      this.more.hidden = !this.hidden;
      if (this.text || this.hidden) this.output.hidden = false;
    }

    // A picture: a PNG (matplotlib) scaled to the column, opening full size
    // in a new tab; or an SVG (a nanonet drawing), put in the page so that
    // it takes the page's colours.
    picture(message) {
      const figure = element("figure", { class: "run-figure" });
      if (message.kind === "png") {
        figure.dataset.theme = theme(); // its colours: the page's when it was drawn
        const bytes = Uint8Array.from(atob(message.data), (c) => c.charCodeAt(0));
        const url = URL.createObjectURL(new Blob([bytes], { type: "image/png" }));
        this.urls.push(url);
        const link = element("a", {
          href: url,
          target: "_blank",
          rel: "noopener",
          title: "Open the figure full size in a new tab",
        });
        const image = element("img", { src: url, alt: message.alt });
        if (message.width) image.width = message.width;
        if (message.height) image.height = message.height;
        link.append(image);
        figure.append(link);
      } else {
        const svg = cleanSVG(message.svg);
        if (!svg) return;
        figure.classList.add("run-figure--svg");
        if (!svg.querySelector("title")) {
          svg.setAttribute("role", "img");
          svg.setAttribute("aria-label", message.alt);
        }
        figure.append(svg);
      }
      this.figures.append(figure);
      this.figures.hidden = this.output.hidden = false;
    }

    showNote(text) {
      this.output.hidden = this.note.hidden = false;
      this.note.textContent = text;
    }

    showTraceback(text) {
      const lines = text.trimEnd().split("\n");
      const shown = lines.length > TRACEBACK_LINES ? ["…", ...lines.slice(-TRACEBACK_LINES)] : lines;
      this.error.textContent = shown.join("\n");
      this.error.hidden = this.output.hidden = false;
      return lines[lines.length - 1];
    }

    setBusy(busy) {
      if (busy) this.node.setAttribute("aria-busy", "true");
      else this.node.removeAttribute("aria-busy");
    }
  }

  // The runnable blocks of one page.
  class Page {
    constructor(nodes) {
      const listed = nodes[0].dataset.runPackages;
      this.packages = listed ? listed.split(" ") : null; // null: not in this build
      this.blocks = nodes.map((node, index) => new Block(this, node, index));
      this.next = 0; // the first block that has not run in this Python
      this.running = null; // the block running now
      this.busy = false;
      if (!this.packages) return;
      packages = this.packages;
      // At rest for a moment: the reader is reading; load Python meanwhile
      // (unless the browser was asked to save data).
      const saveData = navigator.connection && navigator.connection.saveData;
      if (!saveData) {
        const idle = window.requestIdleCallback || ((callback) => callback());
        this.timer = setTimeout(() => idle(() => this.warm(), { timeout: 1000 }), IDLE_DELAY);
      }
    }

    // Start loading Python and the editor, if not yet; then the optional
    // packages (matplotlib) that the page's blocks need.
    warm() {
      clearTimeout(this.timer);
      if (!this.packages || this.left) return;
      loadEditor().catch(() => {}); // a failure shows when Edit is pressed
      if (this.warmed && python) return;
      this.warmed = true;
      const started = startPython();
      const codes = this.blocks.map((block) => block.original);
      started.ready
        .then(() => started.request({ type: "prepare", codes }))
        .catch(() => {}); // a Run says what failed
    }

    // Run the target block (the blocks above it first); then, with after, await
    // after(python) (after(null) if the block raised) before the run ends.
    async run(target, after = null, origin = target.runButton) {
      if (this.busy) return;
      if (!this.packages) {
        target.say(NOT_INCLUDED);
        return;
      }
      this.busy = true;
      const hadFocus = document.activeElement === origin;
      const starters = document.querySelectorAll(".run-bar [data-starts-run]");
      for (const button of starters) button.disabled = true;
      target.stopButton.hidden = false;
      if (hadFocus) target.stopButton.focus(); // a disabled button loses the keyboard focus
      target.setBusy(true);
      target.stopped = false; // run on its own: it runs
      const skipped = [];
      let started = false;
      try {
        const current = startPython();
        if (current.status) {
          const show = (text) => target.say(text);
          show(current.status);
          current.listeners.add(show);
          await current.ready.finally(() => current.listeners.delete(show));
        }
        started = true;
        for (let index = this.next; index < target.index; index++) {
          const block = this.blocks[index];
          if (block.stopped) {
            block.say("Skipped: you stopped this block. Its own Run runs it again.");
            skipped.push(index + 1);
            this.next = index + 1;
            continue;
          }
          if (!(await this.runBlock(block, target))) {
            target.say(`Code block ${index + 1} above raised an error: fix it, then run again.`);
            return;
          }
        }
        const ran = await this.runBlock(target, target);
        if (after) await after(ran ? python : null);
        if (skipped.length) {
          const which = skipped.length === 1 ? `code block ${skipped[0]}` : `code blocks ${skipped.join(", ")}`;
          target.say(`${target.status.textContent} Skipped ${which} above, which you stopped.`);
        }
      } catch (error) {
        if (!(error instanceof Stopped)) {
          this.restart(); // the next Run starts a fresh Python
          const what = started ? "The in-page Python failed" : "Could not start the in-page Python";
          target.say(`${what}: ${error.message}`);
        }
      } finally {
        this.busy = false;
        for (const button of starters) button.disabled = false;
        target.stopButton.hidden = true;
        target.setBusy(false);
        if (document.activeElement === document.body) origin.focus();
      }
    }

    // Run one block, its output shown below it; true unless it raised.
    async runBlock(block, target) {
      this.running = block;
      block.setBusy(true);
      block.clear();
      block.say("Running…");
      try {
        const request = {
          type: "run",
          code: block.code(),
          name: block.name,
          theme: theme(),
          dpr: window.devicePixelRatio || 1,
          width: block.node.clientWidth, // the column: a wider figure is drawn this wide
        };
        const result = await python.request(request, (message) => {
          if (message.type === "output") block.print(message.text, message.hidden);
          else if (message.type === "picture") block.picture(message);
          else if (message.type === "progress") block.say(message.text);
        });
        block.print("", result.hidden);
        block.render(); // all of it, now: the run is over
        if (result.hiddenPictures) block.showNote(`… ${plural(result.hiddenPictures, "more picture")}`);
        if (result.status === "error" && result.needs) {
          block.showNote(
            `This block needs ${result.needs.join(", ")}, which was not loaded when it ` +
              "started (the code did not show it). It is loaded now: run the block again.",
          );
          block.say(`Needs ${result.needs.join(", ")}: run it again.`);
          return false;
        }
        if (result.status === "error") {
          block.say(`Error: ${block.showTraceback(result.text)}`);
          return false;
        }
        const seconds = `${result.seconds.toFixed(2)} s`;
        const shown = block.text || block.hidden || block.figures.childElementCount;
        block.say(shown ? `Ran in ${seconds}.` : `Ran in ${seconds}; printed nothing.`);
        this.next = Math.max(this.next, block.index + 1);
        return true;
      } finally {
        this.running = null;
        if (block !== target) block.setBusy(false); // the target stays busy until run() ends
      }
    }

    // End this Python (its worker) at once; a fresh one starts loading.
    stop(target) {
      if (!python) return;
      const running = this.running;
      this.restart();
      if (running) running.stopped = true;
      if (running && running !== target) running.say("Stopped.");
      target.say(
        "Stopped. Python restarts: the next Run runs the blocks above again, " +
          "and a Run further down skips this block.",
      );
    }

    restart() {
      if (python) python.terminate();
      python = null;
      this.next = 0;
      this.warmed = false;
      for (const block of this.blocks) block.setBusy(false);
      this.warm();
    }

    // Instant navigation to another page: Python stays, with a fresh namespace;
    // a run still going is stopped.
    leave() {
      this.left = true;
      clearTimeout(this.timer);
      if (!python) return;
      if (this.busy) {
        python.terminate();
        python = null;
      } else {
        python.request({ type: "reset" }).catch(() => {});
      }
    }
  }

  let page = null;

  window.nanonetBlocks = () => (page ? page.blocks.map((block) => block.handle()) : []);

  function setup() {
    if (page) page.leave();
    const nodes = Array.from(document.querySelectorAll("[data-run-block]"));
    page = nodes.length ? new Page(nodes) : null;
  }

  // Material's instant navigation swaps pages without a reload and announces
  // each new page on document$; without it, the page is ready now or soon.
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
