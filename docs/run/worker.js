// The in-page Python: Pyodide with numpy and nanonet, in a Web Worker.
//
// A worker keeps the page responsive while Python runs. A run that takes too
// long is stopped by terminating the worker (run.js then starts a fresh one).
// Every file comes from the site's own run/pyodide/ folder.
//
// Requests (each with an id; every message about it carries the same id), one
// at a time, in the order they arrive:
//   {id, type: "load", runtime, runner, packages}  start Python (the first request)
//   {id, type: "prepare", packages, codes}         load optional packages now: those
//                                                  named, and those the codes need
//   {id, type: "reset", scope}                     a fresh namespace (a new page)
//   {id, type: "run", code, name, scope, theme, dpr, width}
//   {id, type: "check", code, name, scope}         extra code after a block
//   {id, type: "install", url, name}               a module of the site's own Python
//                                                  (the playground's), fetched from
//                                                  the site: every namespace can import it
// Messages out, for a request:
//   {id, type: "progress", text}                   loading, in words
//   {id, type: "output", text, hidden}             printed text, batched; hidden:
//                                                  lines past the limit, counted
//   {id, type: "picture", kind: "png" | "svg", data | svg, width, height, alt}
//   {id, type: "done", ...}                        the last one: the result
//   {id, type: "failed", text}                     the last one: it could not be done
// "done" of a run has status ("ok" | "error"), text (a traceback), value (the
// last line's value, as JSON), needs (packages it lacked), seconds, hidden
// (lines past the limit), hiddenPictures (pictures past MAX_PICTURES);
// "done" of a check has passed and message.
"use strict";

let pyodide = null;
let runner = null; // the module docs_runner (docs/run/runner.py)
let runtime = "";
let current = null; // the Output of the request in flight

// What Python prints reaches the page in batches: at most BURST messages
// every WINDOW ms (the worker is busy while Python runs, so nothing can wait
// for a timer: a batch goes out with the next print after the window). Past
// MAX_LINES or MAX_CHARS the rest is only counted, so a block that prints
// forever neither floods the page nor delays Stop.
const WINDOW = 100;
const BURST = 4;
const MAX_LINES = 1000;
const MAX_CHARS = 100000;
const MAX_PICTURES = 20; // per run; the rest are counted too
const NEWLINE = 10;

class Output {
  constructor(id) {
    this.id = id;
    this.decoder = new TextDecoder();
    this.pending = ""; // kept text not sent yet
    this.chars = 0; // kept so far
    this.lines = 0;
    this.hidden = 0; // lines past the limit
    this.hiddenTail = false; // the last hidden line has no newline yet
    this.changed = false;
    this.windowStart = 0;
    this.sentInWindow = 0;
    this.pictures = 0;
  }

  picture(json) {
    if (++this.pictures <= MAX_PICTURES) {
      self.postMessage({ id: this.id, type: "picture", ...JSON.parse(json) });
    }
  }

  hiddenPictures() {
    return Math.max(0, this.pictures - MAX_PICTURES);
  }

  write(bytes) {
    if (this.lines >= MAX_LINES || this.chars >= MAX_CHARS) {
      for (const byte of bytes) if (byte === NEWLINE) this.hidden++;
      this.hiddenTail = bytes[bytes.length - 1] !== NEWLINE;
    } else {
      this.keep(this.decoder.decode(bytes, { stream: true }));
    }
    this.changed = true;
    const now = performance.now();
    if (now - this.windowStart >= WINDOW) {
      this.windowStart = now;
      this.sentInWindow = 0;
    }
    if (this.sentInWindow < BURST) {
      this.sentInWindow++;
      this.send();
    }
    return bytes.length;
  }

  // Keep text up to the limits; count the lines past them.
  keep(text) {
    let end = 0;
    while (end < text.length && this.lines < MAX_LINES && this.chars + end < MAX_CHARS) {
      const newline = text.indexOf("\n", end);
      if (newline < 0) {
        end = Math.min(text.length, MAX_CHARS - this.chars);
        break;
      }
      end = newline + 1;
      this.lines++;
    }
    const kept = text.slice(0, Math.min(end, MAX_CHARS - this.chars));
    this.pending += kept;
    this.chars += kept.length;
    const rest = text.slice(kept.length);
    if (rest) {
      this.hidden += rest.split("\n").length - 1;
      this.hiddenTail = !rest.endsWith("\n");
    }
  }

  send() {
    if (!this.changed) return;
    self.postMessage({ id: this.id, type: "output", text: this.pending, hidden: this.hiddenLines() });
    this.pending = "";
    this.changed = false;
  }

  hiddenLines() {
    return this.hidden + (this.hiddenTail ? 1 : 0);
  }
}

function write(bytes) {
  return current ? current.write(bytes) : bytes.length;
}

function progress(id, text) {
  self.postMessage({ id, type: "progress", text });
}

async function load({ id, runtime: folder, runner: runnerURL, packages }) {
  runtime = folder;
  progress(id, "Loading Python (step 1 of 3)…");
  importScripts(runtime + "pyodide.js");
  pyodide = await self.loadPyodide({ indexURL: runtime });
  progress(id, "Loading numpy and nanonet (step 2 of 3)…");
  await loadPackages(packages);
  progress(id, "Starting Python (step 3 of 3)…");
  const response = await fetch(runnerURL);
  if (!response.ok) throw new Error(`${runnerURL}: HTTP ${response.status}`);
  // Installed as a module, so that matplotlib's backend (runner.py) can import it.
  pyodide.FS.mkdirTree("/docs_runner");
  pyodide.FS.writeFile("/docs_runner/docs_runner.py", await response.text());
  pyodide.runPython("import sys; sys.path.insert(0, '/docs_runner')");
  runner = pyodide.pyimport("docs_runner");
  // Pictures go to the page as they are drawn (plt.show()) or when the block ends.
  runner.set_display((json) => current && current.picture(json));
  pyodide.runPython("import numpy, nanonet"); // now, so the first block prints sooner
  pyodide.setStdout({ write });
  pyodide.setStderr({ write });
  pyodide.setStdin({ error: true }); // reading sys.stdin raises instead of waiting forever
  return {};
}

// A name ending in .whl is a file in the runtime folder (nanonet's wheel);
// other names are looked up in pyodide-lock.json, which also gives their
// sha256: Pyodide checks every package it downloads against it.
async function loadPackages(packages) {
  const problems = [];
  const wanted = packages.map((name) => (name.endsWith(".whl") ? runtime + name : name));
  await pyodide.loadPackage(wanted, {
    messageCallback: () => {},
    errorCallback: (message) => problems.push(message),
  });
  if (problems.length) throw new Error(problems.join("\n"));
}

// Optional packages (matplotlib: about 10 MB, and its first import takes
// seconds; say so), named, or those that any of the codes needs.
async function prepare({ id, packages = [], codes = [] }) {
  const wanted = new Set(packages);
  for (const code of codes) {
    const needs = runner.needs(code);
    for (const name of needs.toJs()) wanted.add(name);
    needs.destroy();
  }
  for (const name of wanted) {
    progress(id, `Loading ${name} (the first time takes a few seconds)…`);
    await loadPackages([name]);
    if (name === "matplotlib") pyodide.runPython("import matplotlib.pyplot");
  }
  return {};
}

async function run({ id, code, name, scope = "page", theme = "light", dpr = 1, width = 0 }) {
  await prepare({ id, codes: [code] });
  const output = (current = new Output(id));
  const start = performance.now();
  let result;
  try {
    result = JSON.parse(runner.run(code, name, scope, theme, dpr, width));
  } finally {
    output.send();
    current = null;
  }
  const seconds = (performance.now() - start) / 1000;
  // A package it needed but the text did not show: loaded now, for the next Run.
  if (result.needs) await prepare({ id, packages: result.needs });
  return { ...result, seconds, hidden: output.hiddenLines(), hiddenPictures: output.hiddenPictures() };
}

async function check({ id, code, name, scope = "page" }) {
  current = new Output(id);
  try {
    return JSON.parse(runner.check(code, name, scope));
  } finally {
    current.send();
    current = null;
  }
}

// A Python file of the site, as a module next to docs_runner: `import name` finds it.
async function install({ url, name }) {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a module name: ${name}`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  pyodide.FS.writeFile(`/docs_runner/${name}.py`, await response.text());
  pyodide.runPython(`import importlib, sys; importlib.invalidate_caches(); sys.modules.pop("${name}", None)`);
  return {};
}

function reset({ scope = "page" }) {
  if (runner) runner.new_page(scope);
  return {};
}

const handlers = { load, prepare, reset, run, check, install };
let queue = Promise.resolve();

self.onmessage = (event) => {
  const message = event.data;
  queue = queue.then(async () => {
    try {
      const handler = handlers[message.type];
      if (!handler) throw new Error(`unknown request ${message.type}`);
      if (message.type !== "load" && !runner) throw new Error("Python has not started");
      const result = await handler(message);
      self.postMessage({ ...result, id: message.id, type: "done" });
    } catch (error) {
      self.postMessage({ id: message.id, type: "failed", text: String((error && error.message) || error) });
    }
  });
};
