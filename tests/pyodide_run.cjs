// Run docs pages' code blocks in Pyodide under Node, with the files the site serves.
//
// Driven by tests/test_pyodide.py. Reads JSON on stdin:
//   {"runtime": dir, "packages": ["numpy"], "wheel": path, "runner": path,
//    "pages": [[code, code, ...], ...], "theme": "light" | "dark"}
// and writes JSON on stdout: for each page, for each block,
//   {"stdout": what it printed, "status": "ok" | "error", "text": ..., "value": ...,
//    "pictures": [{"kind": "png" | "svg", "alt": ..., "size": bytes}, ...]}
// A code that starts with "#check\n" is run with runner.check instead (its
// result: {"passed", "message"}).
// Blocks run with docs/run/runner.py, installed and called as the browser's
// worker (docs/run/worker.js) does: one namespace per page, and the optional
// packages a block needs (matplotlib) loaded before it runs.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

async function main() {
  const job = JSON.parse(fs.readFileSync(0, "utf8"));
  const { loadPyodide } = require(path.resolve(job.runtime, "pyodide.js"));
  const pyodide = await loadPyodide({ indexURL: path.resolve(job.runtime) + path.sep });
  // Progress messages go to stderr: stdout is kept for the result.
  const load = (names) => pyodide.loadPackage(names, { messageCallback: (m) => console.error(m) });
  await load([...job.packages, path.resolve(job.wheel)]);

  let printed = "";
  const decoder = new TextDecoder();
  const write = (bytes) => {
    printed += decoder.decode(bytes, { stream: true });
    return bytes.length;
  };
  pyodide.setStdout({ write });
  pyodide.setStderr({ write: (bytes) => (process.stderr.write(bytes), bytes.length) });

  pyodide.FS.mkdirTree("/docs_runner");
  pyodide.FS.writeFile("/docs_runner/docs_runner.py", fs.readFileSync(job.runner, "utf8"));
  pyodide.runPython("import sys; sys.path.insert(0, '/docs_runner')");
  const runner = pyodide.pyimport("docs_runner");
  let pictures = [];
  runner.set_display((json) => {
    const picture = JSON.parse(json);
    const size = picture.kind === "svg" ? picture.svg.length : (picture.data.length * 3) / 4;
    pictures.push({ kind: picture.kind, alt: picture.alt, size, width: picture.width });
  });

  const pages = [];
  for (const codes of job.pages) {
    runner.new_page();
    const results = [];
    for (const [index, code] of codes.entries()) {
      printed = "";
      pictures = [];
      const name = `code block ${index + 1}`;
      if (code.startsWith("#check\n")) {
        results.push({ stdout: printed, ...JSON.parse(runner.check(code, name)) });
        continue;
      }
      const needs = runner.needs(code).toJs();
      if (needs.length) await load(needs);
      const result = JSON.parse(runner.run(code, name, "page", job.theme || "light", 1));
      results.push({ stdout: printed, pictures, ...result });
    }
    pages.push(results);
  }
  process.stdout.write(JSON.stringify(pages));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
