// The exercises' Check buttons, and the reader's progress.
//
// A starter block of an exercise is a runnable block with data-exercise="name"
// (```python {data-exercise="leaky-relu"} in the page's Markdown). It gets a
// Check button beside Run: Check runs the block as Run does (the blocks above
// it first), then asks the in-page Python for the checker of nanonet.exercises
// (the same the notebooks and the teacher's command use), and shows the
// verdict in the block's output area, where screen readers announce it. A
// verdict starts with "Correct" or "Not yet". Nothing here knows an answer:
// the checker looks at what the reader's code does.
//
// Each exercise checked correct gets a tick beside its title, kept in this
// browser's localStorage (nothing leaves the reader's machine), and the page
// says how many of its exercises are done, with a "Reset my progress" button.
// Run, Stop and the in-page Python are docs/run/run.js's: see its
// window.nanonetBlocks().
(function () {
  "use strict";

  const STORE = "nanonet-exercises"; // localStorage: {name: true} for each exercise done

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    if (text) node.textContent = text;
    return node;
  }

  // The reader's progress: in localStorage if the browser allows it, else for this visit.
  const progress = {
    memory: {},
    load() {
      try {
        return JSON.parse(window.localStorage.getItem(STORE)) || {};
      } catch (error) {
        return this.memory;
      }
    },
    save(done) {
      this.memory = done;
      try {
        window.localStorage.setItem(STORE, JSON.stringify(done));
      } catch (error) {
        // private browsing, or storage turned off: kept for this visit only
      }
    },
    done(name) {
      return Boolean(this.load()[name]);
    },
    mark(name) {
      this.save({ ...this.load(), [name]: true });
    },
    reset() {
      this.memory = {};
      try {
        window.localStorage.removeItem(STORE);
      } catch (error) {
        // nothing was kept
      }
    },
  };

  // The code the Check button sends after the block: its last line is the verdict.
  function checkCode(name) {
    const exercises = '__import__("nanonet.exercises").exercises';
    return `${exercises}.check(${JSON.stringify(name)}, globals()).as_dict()`;
  }

  // Where an exercise's tick goes: the title of the box it is in.
  function titleOf(node) {
    const box = node.closest(".admonition, details");
    return box && box.querySelector(":scope > .admonition-title, :scope > summary");
  }

  class Exercise {
    constructor(block, summary) {
      this.block = block;
      this.summary = summary;
      this.name = block.node.dataset.exercise;
      this.button = element("button", {
        type: "button",
        class: "run-button run-button--check",
        "data-starts-run": "",
      });
      const icon = element("span", { class: "run-button__icon", "aria-hidden": "true" });
      this.button.append(icon, "Check");
      const run = block.bar.querySelector(".run-button--run");
      run.after(this.button);
      if (run.classList.contains("run-button--unavailable")) {
        // No in-page Python in this build: Check says so when clicked, as Run does.
        this.button.title = run.title;
        this.button.classList.add("run-button--unavailable");
      }
      this.label = element("div", { class: "run-output__label", "data-run-extra": "" }, "Check");
      this.label.hidden = true;
      this.verdict = element("p", {
        class: "run-verdict",
        role: "status",
        "aria-live": "polite",
        "aria-atomic": "true",
        "data-run-extra": "",
      });
      this.verdict.hidden = true;
      block.output.append(this.label, this.verdict);
      this.tick = element("span", { class: "exercise-tick", title: "Checked: correct" });
      this.tick.append(
        element("span", { "aria-hidden": "true" }, "✓"),
        element("span", { class: "exercise-tick__label" }, " (done)"),
      );
      const title = titleOf(block.node);
      if (title) title.append(this.tick);
      this.showTick();
      this.button.addEventListener("click", () => this.check());
    }

    showTick() {
      this.tick.hidden = !progress.done(this.name);
    }

    async check() {
      const start = performance.now();
      await this.block.run(async (python) => {
        this.block.output.hidden = false; // the verdict's live region, visible before it speaks
        this.label.hidden = this.verdict.hidden = false;
        this.verdict.className = "run-verdict";
        this.verdict.textContent = "";
        if (!python) {
          this.show(false, "Not yet: the block raised an error (above): fix it, then Check again.");
          return;
        }
        this.block.say("Checking…");
        const name = `check of ${this.block.name}`;
        const reply = await python.request({ type: "check", code: checkCode(this.name), name });
        this.show(reply.passed, reply.message || "Not yet: the check gave no verdict.");
        const seconds = ((performance.now() - start) / 1000).toFixed(2);
        this.block.node.dataset.checkSeconds = seconds;
        this.block.say(`Ran and checked in ${seconds} s.`);
      }, this.button);
    }

    show(passed, message) {
      this.verdict.className = `run-verdict run-verdict--${passed ? "correct" : "not-yet"}`;
      this.verdict.textContent = message;
      if (passed) {
        progress.mark(this.name);
        this.summary.update();
      }
    }
  }

  // "2 of 3 exercises on this page done", and the Reset button; before the first exercise.
  class Summary {
    constructor(before) {
      this.exercises = [];
      this.node = element("div", { class: "exercise-progress" });
      this.text = element("span", { class: "exercise-progress__text" });
      const reset = { type: "button", class: "exercise-progress__reset" };
      this.reset = element("button", reset, "Reset my progress");
      this.said = element("span", { class: "exercise-progress__said", role: "status" });
      this.node.append(this.text, " ", this.reset, this.said);
      before.before(this.node);
      this.reset.addEventListener("click", () => {
        progress.reset();
        this.update();
        this.said.textContent = "Your progress was reset.";
      });
    }

    update() {
      for (const exercise of this.exercises) exercise.showTick();
      const done = this.exercises.filter((exercise) => progress.done(exercise.name)).length;
      this.text.textContent =
        `Exercises checked correct on this page: ${done} of ${this.exercises.length} ` +
        "(kept in this browser only).";
      this.said.textContent = "";
    }
  }

  function setup() {
    const blocks = (window.nanonetBlocks ? window.nanonetBlocks() : []).filter(
      (block) => block.node.dataset.exercise,
    );
    if (!blocks.length) return;
    const first = blocks[0].node.closest(".admonition, details") || blocks[0].node;
    const summary = new Summary(first);
    summary.exercises = blocks.map((block) => new Exercise(block, summary));
    summary.update();
  }

  // After run.js has set the page up: it subscribed to Material's document$ first.
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
