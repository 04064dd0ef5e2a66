// The in-page Python: Pyodide with numpy and nanonet, in a Web Worker.
//
// A worker keeps the page responsive while Python runs, and a run that takes
// too long is stopped by terminating the worker (run.js starts a fresh one on
// the next Run). Every file comes from the site's own run/pyodide/ folder.
//
// Messages in:  {type: "load", runtime, runner, packages}, {type: "run", code, name}
// Messages out: {type: "progress", step, steps, text}, {type: "loaded"},
//               {type: "output", text}, {type: "done", status, text, seconds},
//               {type: "failed", text}
"use strict";

let pyodide = null;
let runBlock = null;

// What Python prints is sent as it is printed: the worker is busy while
// Python runs, so nothing held back could be sent later by a timer. run.js
// repaints at most once a frame, however many messages arrive.
const decoder = new TextDecoder();

function write(bytes) {
  self.postMessage({ type: "output", text: decoder.decode(bytes, { stream: true }) });
  return bytes.length;
}

function progress(step, text) {
  self.postMessage({ type: "progress", step, steps: 3, text });
}

async function load({ runtime, runner, packages }) {
  progress(1, "Loading Python (step 1 of 3)…");
  importScripts(runtime + "pyodide.js");
  const problems = [];
  pyodide = await self.loadPyodide({ indexURL: runtime });
  progress(2, "Loading numpy and nanonet (step 2 of 3)…");
  // A name ending in .whl is a file in the runtime folder (nanonet's wheel);
  // other names are looked up in pyodide-lock.json, which also gives their
  // sha256: Pyodide checks every package it downloads against it.
  const wanted = packages.map((name) => (name.endsWith(".whl") ? runtime + name : name));
  await pyodide.loadPackage(wanted, {
    messageCallback: () => {},
    errorCallback: (message) => problems.push(message),
  });
  if (problems.length) throw new Error(problems.join("\n"));
  progress(3, "Starting Python (step 3 of 3)…");
  const response = await fetch(runner);
  if (!response.ok) throw new Error(`${runner}: HTTP ${response.status}`);
  pyodide.runPython(await response.text());
  pyodide.runPython("import numpy, nanonet"); // now, so the first block prints sooner
  runBlock = pyodide.globals.get("run_block");
  pyodide.setStdout({ write });
  pyodide.setStderr({ write });
  pyodide.setStdin({ error: true }); // input() raises instead of waiting forever
  self.postMessage({ type: "loaded" });
}

function run({ code, name }) {
  const start = performance.now();
  const result = JSON.parse(runBlock(code, name));
  self.postMessage({ type: "done", ...result, seconds: (performance.now() - start) / 1000 });
}

self.onmessage = async (event) => {
  try {
    if (event.data.type === "load") await load(event.data);
    else if (event.data.type === "run") run(event.data);
  } catch (error) {
    self.postMessage({ type: "failed", text: String((error && error.message) || error) });
  }
};
