// Run docs pages' code blocks in Pyodide under Node, with the files the site serves.
//
// Driven by tests/test_pyodide.py. Reads JSON on stdin:
//   {"runtime": dir, "packages": ["numpy"], "wheel": path, "runner": path,
//    "pages": [[code, code, ...], ...]}
// and writes JSON on stdout: for each page, for each block,
//   {"stdout": what it printed, "status": "ok" | "error" | "note", "text": ...}
// Blocks run with docs/run/runner.py, as in the browser: one namespace per page.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

async function main() {
  const job = JSON.parse(fs.readFileSync(0, "utf8"));
  const { loadPyodide } = require(path.resolve(job.runtime, "pyodide.js"));
  const pyodide = await loadPyodide({ indexURL: path.resolve(job.runtime) + path.sep });
  // Progress messages go to stderr: stdout is kept for the result.
  await pyodide.loadPackage([...job.packages, path.resolve(job.wheel)], {
    messageCallback: (message) => console.error(message),
  });

  let printed = "";
  const decoder = new TextDecoder();
  const write = (bytes) => {
    printed += decoder.decode(bytes, { stream: true });
    return bytes.length;
  };
  pyodide.setStdout({ write });
  pyodide.setStderr({ write: (bytes) => (process.stderr.write(bytes), bytes.length) });

  pyodide.runPython(fs.readFileSync(job.runner, "utf8"));
  const newPage = pyodide.globals.get("new_page");
  const runBlock = pyodide.globals.get("run_block");
  const pages = job.pages.map((codes) => {
    newPage();
    return codes.map((code, index) => {
      printed = "";
      const result = JSON.parse(runBlock(code, `code block ${index + 1}`));
      return { stdout: printed, ...result };
    });
  });
  process.stdout.write(JSON.stringify(pages));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
