// The docs' Run buttons: run a page's code blocks in the reader's browser.
//
// docs/_hooks/run_buttons.py marks the runnable blocks (data-run-block) of the
// pages whose front matter says "runnable: true"; nothing here is specific to
// a page. Each marked block gets a Run button, an Edit button and an output
// area right below it. Python (Pyodide with numpy and nanonet) starts in a Web
// Worker (worker.js) on the first Run of a page visit, from files the site
// itself serves (run/pyodide/); nothing is fetched from anywhere else.
//
// A page's blocks run in one namespace, in page order, as the docs tests run
// them: Run on a block whose predecessors have not run yet runs those first,
// and shows their outputs below them too.
(function () {
  "use strict";

  const here = document.currentScript.src;
  const RUNTIME = new URL("pyodide/", here).href;
  const WORKER = new URL("worker.js", here).href;
  const RUNNER = new URL("runner.py", here).href;
  const NOT_INCLUDED = "The in-page Python was not included in this build; see README.";
  const TRACEBACK_LINES = 10; // a traceback shows its last lines: where it failed, and why
  const MAX_OUTPUT = 200000; // characters kept per block, so a runaway loop cannot freeze the page

  class Stopped extends Error {}

  // One Python (one worker) and the messages of the request in flight.
  class Python {
    constructor(packages, onProgress) {
      this.worker = new Worker(WORKER);
      this.request = null;
      this.worker.onmessage = (event) => this.receive(event.data);
      this.worker.onerror = (event) => {
        event.preventDefault();
        this.settle(new Error(event.message || "the in-page Python failed to start"));
      };
      this.ready = this.send({ type: "load", runtime: RUNTIME, runner: RUNNER, packages }, onProgress);
    }

    send(message, onMessage) {
      return new Promise((resolve, reject) => {
        this.request = { resolve, reject, onMessage };
        this.worker.postMessage(message);
      });
    }

    async run(code, name, onOutput) {
      await this.ready;
      return this.send({ type: "run", code, name }, onOutput);
    }

    receive(message) {
      if (!this.request) return;
      if (message.type === "loaded" || message.type === "done") this.settle(null, message);
      else if (message.type === "failed") this.settle(new Error(message.text));
      else this.request.onMessage(message);
    }

    settle(error, message) {
      const request = this.request;
      this.request = null;
      if (request && error) request.reject(error);
      else if (request) request.resolve(message);
    }

    stop() {
      this.worker.terminate();
      this.settle(new Stopped("stopped"));
    }
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

  // One runnable block: its buttons, its editor and its output area.
  class Block {
    constructor(page, node, index) {
      this.page = page;
      this.node = node;
      this.index = index;
      this.name = `code block ${index + 1}`;
      this.original = node.querySelector("code").textContent;
      this.editor = null;
      this.text = "";

      this.runButton = button("Run", "run-button--run");
      this.stopButton = button("Stop", "run-button--stop");
      this.editButton = button("Edit", "run-button--edit");
      this.resetButton = button("Reset", "run-button--reset");
      this.stopButton.hidden = this.resetButton.hidden = true;
      this.status = element("span", { class: "run-status", role: "status", "aria-live": "polite" });
      this.progress = element("progress", { class: "run-progress", max: "3", "aria-hidden": "true" });
      this.progress.hidden = true;
      const bar = element("div", { class: "run-bar", role: "group", "aria-label": this.name });
      bar.append(this.runButton, this.stopButton, this.editButton, this.resetButton, this.progress, this.status);

      this.output = element("div", { class: "run-output" });
      this.output.hidden = true;
      this.printed = element("pre", { class: "run-output__printed" });
      this.error = element("pre", { class: "run-output__error" });
      this.note = element("p", { class: "run-output__note" });
      this.output.append(element("div", { class: "run-output__label" }, "Printed in your browser"));
      this.output.append(this.printed, this.error, this.note);
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
    }

    code() {
      return this.editor ? this.editor.value : this.original;
    }

    // Edit in a plain textarea: robust, accessible, and the highlighted code
    // stays as it is until the reader asks to edit.
    edit() {
      const pre = this.node.querySelector("pre");
      this.editor = element("textarea", {
        class: "run-editor",
        spellcheck: "false",
        autocapitalize: "off",
        autocomplete: "off",
        wrap: "off",
        "aria-label": `${this.name}, editable (Ctrl+Enter runs it)`,
      });
      this.editor.value = this.original.replace(/\n$/, "");
      const fit = () => (this.editor.rows = this.editor.value.split("\n").length);
      fit();
      this.editor.addEventListener("input", fit);
      this.editor.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          this.page.run(this);
        }
      });
      pre.hidden = true;
      pre.after(this.editor);
      this.editButton.hidden = true;
      this.resetButton.hidden = false;
      this.editor.focus();
    }

    reset() {
      this.editor.remove();
      this.editor = null;
      this.node.querySelector("pre").hidden = false;
      this.resetButton.hidden = true;
      this.editButton.hidden = false;
      this.editButton.focus();
    }

    say(text, step) {
      this.status.textContent = text;
      this.progress.hidden = step === undefined;
      if (step !== undefined) this.progress.value = step;
    }

    clear() {
      cancelAnimationFrame(this.frame); // drop a repaint still pending from an earlier run
      this.frame = null;
      this.text = "";
      this.printed.textContent = this.error.textContent = this.note.textContent = "";
      this.printed.hidden = this.error.hidden = this.note.hidden = true;
      this.output.hidden = true; // shown when something is printed
    }

    print(text) {
      if (this.text.length >= MAX_OUTPUT) return;
      this.text += text;
      if (this.text.length >= MAX_OUTPUT) {
        this.text = this.text.slice(0, MAX_OUTPUT) + "\n… (output cut: too long to show)\n";
      }
      // Repaint at most once a frame, however many chunks arrive.
      if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
    }

    render() {
      cancelAnimationFrame(this.frame);
      this.frame = null;
      this.printed.textContent = this.text;
      if (this.text) this.printed.hidden = this.output.hidden = false;
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

  // The runnable blocks of one page visit, and its Python.
  class Page {
    constructor(nodes) {
      const packages = nodes[0].dataset.runPackages;
      this.packages = packages ? packages.split(" ") : null; // null: not in this build
      this.blocks = nodes.map((node, index) => new Block(this, node, index));
      this.python = null;
      this.next = 0; // the first block that has not run in this Python
      this.running = null; // the block running now
      this.busy = false;
    }

    async run(target) {
      if (this.busy) return;
      if (!this.packages) {
        target.say(NOT_INCLUDED);
        return;
      }
      this.busy = true;
      const hadFocus = document.activeElement === target.runButton;
      for (const block of this.blocks) block.runButton.disabled = true;
      target.stopButton.hidden = false;
      if (hadFocus) target.stopButton.focus(); // a disabled button loses the keyboard focus
      target.setBusy(true);
      let started = false;
      try {
        if (!this.python) {
          target.say("Loading Python (step 1 of 3)…", 1);
          this.python = new Python(this.packages, (message) => target.say(message.text, message.step));
        }
        await this.python.ready;
        started = true;
        for (let index = this.next; index < target.index; index++) {
          if (!(await this.runBlock(this.blocks[index], target))) {
            target.say(`Code block ${index + 1} above raised an error: fix it, then run again.`);
            return;
          }
        }
        await this.runBlock(target, target);
      } catch (error) {
        if (!(error instanceof Stopped)) {
          this.stop(null); // the next Run starts a fresh Python
          const what = started ? "The in-page Python failed" : "Could not start the in-page Python";
          target.say(`${what}: ${error.message}`);
        }
      } finally {
        this.busy = false;
        for (const block of this.blocks) block.runButton.disabled = false;
        target.stopButton.hidden = true;
        target.setBusy(false);
        if (document.activeElement === document.body) target.runButton.focus();
      }
    }

    // Run one block, its output shown below it; true unless it raised.
    async runBlock(block, target) {
      this.running = block;
      block.setBusy(true);
      block.clear();
      block.say("Running…");
      try {
        const result = await this.python.run(block.code(), block.name, (message) =>
          block.print(message.text),
        );
        block.render(); // all of it, now: the run is over
        if (result.status === "error") {
          block.say(`Error: ${block.showTraceback(result.text)}`);
          return false;
        }
        if (result.status === "note") block.showNote(result.text);
        const seconds = `${result.seconds.toFixed(2)} s`;
        if (block.text || result.status === "note") block.say(`Ran in ${seconds}.`);
        else block.say(`Ran in ${seconds}; printed nothing.`);
        this.next = Math.max(this.next, block.index + 1);
        return true;
      } finally {
        this.running = null;
        if (block !== target) block.setBusy(false); // the target stays busy until run() ends
      }
    }

    // End this Python (its worker) at once; the next Run starts a fresh one.
    stop(target) {
      if (!this.python) return;
      this.python.stop();
      this.python = null;
      this.next = 0;
      for (const block of this.blocks) block.setBusy(false);
      if (this.running && this.running !== target) this.running.say("Stopped.");
      if (target) {
        target.say("Stopped. Python was restarted: the next Run starts afresh and runs the blocks above first.");
      }
    }

    close() {
      if (this.python) this.python.stop();
    }
  }

  let page = null;

  function setup() {
    if (page) page.close(); // instant navigation: the previous page's Python goes
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
