// The playground (docs/playground/index.md): train a network in the page, watch
// it learn, and take its code with you.
//
// The playground's state is a nanonet program. The controls write it (`write`),
// the code panel shows it, Apply reads an edited one back (`read`), and the
// page runs exactly that text in the site's Python (docs/run/run.js, a Web
// Worker): the program in a namespace of its own, then one message per epoch
// that calls the program's own train_one_epoch() and evaluate() and computes
// the pictures with numpy (docs/playground/playground.py, installed in the
// worker as the module nanonet_playground). The page paints them: canvas for
// the plane, SVG for the weights and the loss curves. So the program, run as a
// script with nanonet installed, prints the test loss the page shows at the
// same epoch.
//
// The settings live in the address (`readLink`, `writeLink`), so a link
// reopens them; ?hide=... hides chosen controls. A link is untrusted: each
// value must be one its control allows, or it is ignored and the page says
// so; nothing from it is ever inserted as HTML or run (the page only ever
// runs the program it writes itself, from checked settings).
//
// docs/_hooks/page_assets.py loads this file on the playground page only.
// Material's instant navigation runs it again on each visit of the page: the
// first run sets everything up, and `setup` follows the page's comings and goings.
(function () {
  "use strict";

  if (window.nanonetPlayground) return;

  const here = document.currentScript.src;
  const MODULE = new URL("playground.py", here).href;
  const EDITOR = new URL("../run/editor.js", here).href;
  const SCOPE = "playground"; // the namespace of the program in the site's Python
  const NAME = "the playground's program"; // how tracebacks name it

  // -- the settings: what each control allows --------------------------------

  const range = (from, to, step) =>
    Array.from({ length: (to - from) / step + 1 }, (_, i) => String(from + i * step));

  // Each setting: its key (in the address), its label, and either its
  // choices ([value, label] pairs, or values) or the whole numbers it takes.
  const SETTINGS = [
    {
      key: "dataset",
      label: "Data set",
      group: "data",
      choices: [
        ["moons", "two moons"],
        ["circles", "circles"],
        ["spirals", "spirals"],
        ["xor", "XOR"],
      ],
      value: "moons",
    },
    { key: "points", label: "Points", group: "data", min: 10, max: 1000, value: 200 },
    {
      key: "noise",
      label: "Noise",
      group: "data",
      choices: ["0", "0.05", "0.1", "0.15", "0.2", "0.25", "0.3", "0.4", "0.5"],
      value: "0.1",
    },
    {
      key: "train",
      label: "Training points",
      group: "data",
      choices: range(10, 90, 10).map((value) => [value, `${value} %`]),
      value: "50",
    },
    {
      key: "activation",
      label: "Activation",
      group: "network",
      choices: [
        ["tanh", "tanh"],
        ["relu", "ReLU"],
        ["sigmoid", "sigmoid"],
      ],
      value: "tanh",
    },
    {
      key: "optimizer",
      label: "Optimizer",
      group: "training",
      choices: [
        ["adam", "Adam"],
        ["sgd", "SGD"],
      ],
      value: "adam",
    },
    {
      key: "lr",
      label: "Learning rate",
      group: "training",
      choices: ["0.0001", "0.0003", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10"],
      // Not 0.1: Adam's larger steps magnify the last bit in which the browser's
      // numpy and a reader's differ, and for some seeds and depths the copied
      // program would train differently (docs/performance.md, "The playground").
      value: "0.03",
    },
    { key: "batch", label: "Batch size", group: "training", min: 1, max: 1000, value: 10 },
    {
      key: "decay",
      label: "Weight decay",
      group: "training",
      choices: ["0", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1"],
      value: "0",
    },
    { key: "seed", label: "Seed", group: "training", min: 0, max: 2147483647, value: 0 },
  ];
  const BY_KEY = Object.fromEntries(SETTINGS.map((setting) => [setting.key, setting]));
  const MAX_LAYERS = 4;
  const MAX_UNITS = 8;
  const DEFAULT_LAYERS = [4, 4];
  // The hidden layers are a setting too, in the address as layers=4,4.
  const KEYS = [...SETTINGS.map((setting) => setting.key), "layers"];
  const LABELS = {
    ...Object.fromEntries(SETTINGS.map((s) => [s.key, s.label])),
    layers: "Hidden layers",
  };
  // What each setting is, in a sentence ("the learning rate must be ...").
  const NOUNS = {
    dataset: "the data set",
    points: "the number of points",
    noise: "the noise",
    train: "the percentage of training points",
    layers: "the hidden layers",
    activation: "the activation",
    optimizer: "the optimizer",
    lr: "the learning rate",
    batch: "the batch size",
    decay: "the weight decay",
    seed: "the seed",
  };

  const CLASSES = { tanh: "Tanh", relu: "ReLU", sigmoid: "Sigmoid", adam: "Adam", sgd: "SGD" };
  const KEY_OF_CLASS = Object.fromEntries(
    Object.entries(CLASSES).map(([key, name]) => [name, key]),
  );

  function defaults() {
    const settings = Object.fromEntries(SETTINGS.map((setting) => [setting.key, setting.value]));
    settings.layers = [...DEFAULT_LAYERS];
    return settings;
  }

  const choiceValues = (setting) =>
    setting.choices.map((choice) => (Array.isArray(choice) ? choice[0] : choice));
  const DECIMAL = /^(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

  // A value for a setting, from text (a link's, or a program's): {value} or {problem}.
  function check(key, text) {
    if (key === "layers") {
      if (text === "") return { value: [] };
      const parts = text.split(",");
      const units = parts.map((part) => (/^\d{1,2}$/.test(part) ? Number(part) : NaN));
      if (parts.length <= MAX_LAYERS && units.every((n) => n >= 1 && n <= MAX_UNITS)) {
        return { value: units };
      }
      return {
        problem: `up to ${MAX_LAYERS} numbers from 1 to ${MAX_UNITS}, separated by commas, such as 4,4`,
      };
    }
    const setting = BY_KEY[key];
    if (setting.choices) {
      const values = choiceValues(setting);
      if (values.includes(text)) return { value: text };
      // A number may be written another way (0.030, 3e-2): the same number is the same choice.
      const numeric = DECIMAL.test(text)
        ? values.find((value) => Number(value) === Number(text))
        : undefined;
      if (numeric !== undefined) return { value: numeric };
      return { problem: `one of ${values.join(", ")}` };
    }
    const number = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
    if (number >= setting.min && number <= setting.max) return { value: number };
    return { problem: `a whole number from ${setting.min} to ${setting.max}` };
  }

  // Untrusted text, to quote in a note: short, and without characters that
  // could hide or reorder what is shown (controls, bidirectional overrides).
  function quote(text, limit = 40) {
    const clean = String(text).replace(
      /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g,
      "?",
    );
    return `“${clean.length > limit ? `${clean.slice(0, limit)}…` : clean}”`;
  }

  // -- the address: settings and hidden controls -----------------------------

  const MAX_PARAMETERS = 30;
  const MAX_LENGTH = 100; // characters of one value

  // The settings of a link (the defaults where it says nothing valid), the
  // controls it hides, and a note for each thing it said that was ignored.
  function readLink(search) {
    const settings = defaults();
    const hidden = new Set();
    const notes = [];
    const seen = new Set();
    let count = 0;
    for (const [key, text] of new URLSearchParams(search)) {
      if (++count > MAX_PARAMETERS) {
        notes.push(`Ignored the rest of the link: more than ${MAX_PARAMETERS} settings.`);
        break;
      }
      if (key !== "hide" && !KEYS.includes(key)) {
        notes.push(`Ignored ${quote(key)}: the playground has no such setting.`);
      } else if (seen.has(key)) {
        notes.push(`Ignored a second ${key}= in the link.`);
      } else if (text.length > MAX_LENGTH) {
        notes.push(`Ignored ${key}=${quote(text)}: too long.`);
      } else if (key === "hide") {
        for (const name of text.split(",")) {
          if (KEYS.includes(name)) hidden.add(name);
          else if (name)
            notes.push(`Ignored hide=${quote(name)}: the playground has no such control.`);
        }
      } else {
        const checked = check(key, text);
        if (checked.problem)
          notes.push(`Ignored ${key}=${quote(text)}: ${NOUNS[key]} must be ${checked.problem}.`);
        else settings[key] = checked.value;
      }
      seen.add(key);
    }
    return { settings, hidden, notes };
  }

  function writeLink(settings, hidden) {
    const parts = KEYS.map(
      (key) => `${key}=${key === "layers" ? settings.layers.join(",") : settings[key]}`,
    );
    if (hidden.size) parts.push(`hide=${KEYS.filter((key) => hidden.has(key)).join(",")}`);
    return `?${parts.join("&")}`;
  }

  // -- the program: written from the settings --------------------------------

  // ruff's isort order: CONSTANTS, then Classes, then functions, each A to Z.
  function sortedImports(names) {
    const kind = (name) => (name === name.toUpperCase() ? 0 : /^[A-Z]/.test(name) ? 1 : 2);
    return [...names].sort(
      (a, b) => kind(a) - kind(b) || a.toLowerCase().localeCompare(b.toLowerCase()),
    );
  }

  // The nanonet program for these settings, trained for `epochs` when run as a script.
  function write(settings, epochs) {
    const activation = CLASSES[settings.activation];
    const optimizer = CLASSES[settings.optimizer];
    const names = [
      optimizer,
      "BCEWithLogitsLoss",
      "Dense",
      "Sequential",
      "batches",
      "train_test_split",
    ];
    if (settings.layers.length) names.push(activation);
    let imports = `from nanonet import ${sortedImports(names).join(", ")}`;
    if (imports.length > 100)
      imports = `from nanonet import (\n${sortedImports(names)
        .map((n) => `    ${n},\n`)
        .join("")})`;
    const layers = [];
    let width = 2;
    for (const units of settings.layers) {
      layers.push(`    Dense(${width}, ${units}, rng=rng), ${activation}(),`);
      width = units;
    }
    layers.push(`    Dense(${width}, 1, rng=rng),`);
    const classes = settings.dataset === "spirals" ? ", classes=2" : "";
    const testFraction = String((100 - Number(settings.train)) / 100);
    return `"""A network trained in nanonet's playground. Run this file to train it as the page did."""

import numpy as np
${imports}
from nanonet.datasets import ${settings.dataset}

SEED = ${settings.seed}
EPOCHS = ${epochs}  # the epochs the playground had trained when this was copied

rng = np.random.default_rng(SEED)  # every random number comes from it, in this order
x, y = ${settings.dataset}(${settings.points}${classes}, noise=${settings.noise}, rng=rng)
y = y.reshape(-1, 1).astype(float)  # one target per point: its class, 0.0 or 1.0
x_train, x_test, y_train, y_test = train_test_split(x, y, test_fraction=${testFraction}, rng=rng)

model = Sequential(
${layers.join("\n")}
)
loss_fn = BCEWithLogitsLoss()  # the output is a score; sigmoid(score): the chance of class 1
optimizer = ${optimizer}(model.parameters(), lr=${settings.lr}, weight_decay=${settings.decay})


def train_one_epoch():
    """One pass over the training points, in mini-batches, in a new order each time."""
    for x_batch, y_batch in batches(x_train, y_train, ${settings.batch}, shuffle=True, rng=rng):
        loss_fn(model(x_batch), y_batch)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()


def evaluate(x, y):
    """The loss, and the accuracy: the fraction of the points on their class's side."""
    scores = model(x)
    return loss_fn(scores, y), float(np.mean((scores > 0) == (y == 1)))


if __name__ == "__main__":
    for epoch in range(EPOCHS):
        train_one_epoch()
    test_loss, test_accuracy = evaluate(x_test, y_test)
    print(f"epoch {EPOCHS}: test loss {test_loss:.12g}, test accuracy {test_accuracy:.1%}")
`;
  }

  // -- the program: read back from an edited text (Apply) --------------------

  // Python's tokens, as far as reading a program back needs them.
  const TOKEN = new RegExp(
    [
      /(?<space>[ \t\f]+|\\\r?\n)/,
      /(?<newline>\r?\n)/,
      /(?<comment>#[^\r\n]*)/,
      /(?<string>[rRbBuUfF]{0,2}(?:"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*'))/,
      /(?<number>(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d+)?)/,
      /(?<name>[A-Za-z_][A-Za-z0-9_]*)/,
      /(?<op>\*\*=?|\/\/=?|[-+*/%@&|^<>!=:]=|->|<<|>>|[-+*/%@&|^~<>()[\]{},:.;=])/,
      /(?<other>[\s\S])/,
    ]
      .map((part) => part.source)
      .join("|"),
    "y",
  );

  function tokenize(text) {
    const tokens = [];
    let line = 1;
    TOKEN.lastIndex = 0;
    let match;
    while (TOKEN.lastIndex < text.length && (match = TOKEN.exec(text))) {
      const [type, value] = Object.entries(match.groups).find(([, v]) => v !== undefined);
      tokens.push({ type, text: value, line });
      line += (value.match(/\n/g) || []).length;
    }
    return tokens;
  }

  // A program's lines as they are compared: each line's tokens without spaces
  // and comments (one space only between two words), numbers written one way
  // (0.030 is 0.03), and without lines that hold only a string (docstrings).
  function normalized(text) {
    const lines = new Map();
    for (const token of tokenize(text)) {
      if (["space", "newline", "comment"].includes(token.type)) continue;
      if (!lines.has(token.line)) lines.set(token.line, []);
      lines.get(token.line).push(token);
    }
    const result = [];
    let imports = false; // inside a parenthesised `from nanonet import (...)`
    for (const [line, tokens] of lines) {
      if (tokens.length === 1 && tokens[0].type === "string") continue;
      // nanonet's imports follow from the rest (they are written, not read).
      const words = tokens
        .slice(0, 2)
        .map((token) => token.text)
        .join(" ");
      if (imports || /^from nanonet(\.datasets)?$/.test(words)) {
        imports =
          tokens.some((token) => token.text === "(") ||
          (imports && !tokens.some((token) => token.text === ")"));
        continue;
      }
      let joined = "";
      let previous = null;
      for (const token of tokens) {
        let value = token.text;
        if (token.type === "number" && Number.isFinite(Number(value.replace(/_/g, "")))) {
          value = String(Number(value.replace(/_/g, "")));
        }
        const word = ["name", "number", "string"].includes(token.type);
        if (word && previous && ["name", "number"].includes(previous.type)) joined += " ";
        joined += value;
        previous = word ? token : null;
      }
      // A layer's activation on a line of its own (as ruff format writes it) is
      // read as if on its Dense's line (as the playground writes it).
      const previousLine = result[result.length - 1];
      if (/^\w+\(\),$/.test(joined) && previousLine && /^Dense\(.*\),$/.test(previousLine.text)) {
        previousLine.text += joined;
        continue;
      }
      result.push({ line, text: joined });
    }
    return result;
  }

  // What each line of the program sets, as written in normalized form.
  const READERS = [
    [/^SEED=(.*)$/, (m) => ({ seed: m[1] })],
    [/^EPOCHS=(.*)$/, (m) => ({ epochs: m[1] })],
    [
      /^x,y=(\w+)\(([^,]*),(?:classes=2,)?noise=([^,]*),rng=rng\)$/,
      (m) => ({ dataset: m[1], points: m[2], noise: m[3] }),
    ],
    [
      /^x_train,x_test,y_train,y_test=train_test_split\(x,y,test_fraction=([^,]*),rng=rng\)$/,
      (m) => ({ test: m[1] }),
    ],
    [/^Dense\(([^,]*),([^,]*),rng=rng\),(\w+)\(\),$/, (m) => ({ layer: m[2], activation: m[3] })],
    [
      /^optimizer=(\w+)\(model\.parameters\(\),lr=([^,]*),weight_decay=([^,]*)\)$/,
      (m) => ({ optimizer: m[1], lr: m[2], decay: m[3] }),
    ],
    [
      /^for x_batch,y_batch in batches\(x_train,y_train,([^,]*),shuffle=True,rng=rng\):$/,
      (m) => ({ batch: m[1] }),
    ],
  ];

  // Read an edited program back into settings: {settings, epochs} or {problem}.
  // Every line must be one the playground would write for some settings;
  // `hidden` controls (a course's link fixed them) must keep their values.
  function read(text, current, hidden) {
    const lines = normalized(text);
    const settings = { ...current, layers: [] };
    let epochs = 0;
    let activation = null;
    const layerLines = []; // where each hidden layer is written
    const problems = [];
    const take = (key, raw, line) => {
      const checked = check(key, raw);
      if (checked.problem)
        problems.push([
          line,
          `Line ${line}: ${NOUNS[key]} must be ${checked.problem}, not ${quote(raw)}.`,
        ]);
      else settings[key] = checked.value;
    };
    for (const { line, text: code } of lines) {
      for (const [pattern, parse] of READERS) {
        const match = pattern.exec(code);
        if (!match) continue;
        const found = parse(match);
        if (found.dataset !== undefined) {
          take("dataset", found.dataset, line);
          take("points", found.points, line);
          take("noise", found.noise, line);
        } else if (found.test !== undefined) {
          const train = 100 - Number(found.test) * 100;
          const rounded = String(Math.round(train));
          if (DECIMAL.test(found.test) && Math.abs(train - Number(rounded)) < 1e-9)
            take("train", rounded, line);
          else
            problems.push([
              line,
              `Line ${line}: the test fraction must be one of 0.1, 0.2, …, 0.9, not ${quote(found.test)}.`,
            ]);
        } else if (found.layer !== undefined) {
          settings.layers.push(found.layer);
          layerLines.push(line);
          if (!activation) activation = found.activation;
          else if (found.activation !== activation) {
            const first = `${activation}, as on line ${layerLines[0]}`;
            const same = `every hidden layer has the same activation (${first})`;
            problems.push([line, `Line ${line}: in the playground ${same}.`]);
          }
        } else if (found.optimizer !== undefined) {
          const key = KEY_OF_CLASS[found.optimizer];
          if (key === "adam" || key === "sgd") settings.optimizer = key;
          take("lr", found.lr, line);
          take("decay", found.decay, line);
        } else if (found.epochs !== undefined) {
          if (/^\d{1,9}$/.test(found.epochs)) epochs = Number(found.epochs);
        } else {
          for (const [key, raw] of Object.entries(found)) take(key, raw, line);
        }
      }
    }
    if (settings.layers.length) {
      const wrong = settings.layers.findIndex((units) => check("layers", units).problem);
      if (settings.layers.length > MAX_LAYERS) {
        problems.push([
          layerLines[MAX_LAYERS],
          `Line ${layerLines[MAX_LAYERS]}: the playground has at most ${MAX_LAYERS} hidden layers.`,
        ]);
      } else if (wrong >= 0) {
        problems.push([
          layerLines[wrong],
          `Line ${layerLines[wrong]}: a hidden layer has 1 to ${MAX_UNITS} units, not ${quote(settings.layers[wrong])}.`,
        ]);
      } else {
        settings.layers = settings.layers.map(Number);
      }
      const key = KEY_OF_CLASS[activation];
      if (["tanh", "relu", "sigmoid"].includes(key)) settings.activation = key;
    }
    if (problems.length) return { problem: problems.sort((a, b) => a[0] - b[0])[0][1] };
    for (const key of KEYS) {
      const same =
        key === "layers"
          ? settings.layers.join() === current.layers.join()
          : settings[key] === current[key];
      if (hidden.has(key) && !same) {
        return {
          problem: `This page's link fixes ${NOUNS[key]} (its control is hidden): the program cannot change it.`,
        };
      }
    }
    // The program must be exactly what the playground writes for these settings.
    const written = write(settings, epochs);
    const expected = normalized(written);
    const theirs = (entry) => quote(text.split(/\r?\n/)[entry.line - 1].trim(), 100);
    const ours = (entry) => quote(written.split("\n")[entry.line - 1].trim(), 100);
    for (let i = 0; i < Math.max(lines.length, expected.length); i++) {
      const [line, wanted] = [lines[i], expected[i]];
      if (line && wanted && line.text === wanted.text) continue;
      const unmapped =
        line && `Line ${line.line}, ${theirs(line)}, could not be mapped to the controls`;
      let problem;
      if (!line) {
        const after = lines[i - 1] ? lines[i - 1].line : 0;
        problem = `The program ends early: the playground expects ${ours(wanted)} after line ${after}.`;
      } else if (!wanted) {
        problem = `${unmapped}: the program should end before it.`;
      } else {
        problem = `${unmapped}: the playground would write ${ours(wanted)} there.`;
      }
      return { problem };
    }
    return { settings, epochs };
  }

  // -- the code panel: the program, highlighted as the site's code blocks ----

  const KEYWORDS = new Set(
    (
      "def for in if return else elif while with as and or not is lambda pass class try except " +
      "finally raise yield del global assert break continue"
    ).split(" "),
  );
  const BUILTINS = new Set("print float range int len globals list tuple dict str".split(" "));

  // The program as Pygments-classed spans (Material colours them); the number
  // after EPOCHS gets a span of its own, updated as the page trains.
  function highlight(text, code) {
    const fragment = document.createDocumentFragment();
    let previous = null;
    let epochs = null;
    let previousName = null;
    for (const token of tokenize(text)) {
      let kind = null;
      if (token.type === "comment") kind = "c1";
      else if (token.type === "string") kind = token.text.startsWith('"""') ? "sd" : "s2";
      else if (token.type === "number") kind = /[.eE]/.test(token.text) ? "mf" : "mi";
      else if (token.type === "op") kind = /^[()[\]{},:;.]$/.test(token.text) ? "p" : "o";
      else if (token.type === "name") {
        if (token.text === "import" || token.text === "from") kind = "kn";
        else if (["True", "False", "None"].includes(token.text)) kind = "kc";
        else if (KEYWORDS.has(token.text)) kind = "k";
        else if (previous && previous.text === "def") kind = "nf";
        else if (BUILTINS.has(token.text)) kind = "nb";
        else kind = "n";
      }
      const node = kind
        ? element("span", { class: kind }, token.text)
        : document.createTextNode(token.text);
      if (kind === "mi" && previousName === "EPOCHS" && !epochs) {
        epochs = node;
        node.setAttribute("data-live", ""); // changes every epoch (see docs/scroll-cues.js)
      }
      fragment.append(node);
      if (token.type !== "space") previous = token;
      if (token.type === "name") previousName = token.text;
      else if (token.type !== "space" && token.text !== "=") previousName = null;
    }
    code.replaceChildren(fragment);
    return epochs;
  }

  // -- small helpers ----------------------------------------------------------

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const SVG = "http://www.w3.org/2000/svg";
  function svgElement(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    return node;
  }

  function bytes(base64) {
    const text = atob(base64);
    const result = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) result[i] = text.charCodeAt(i);
    return result;
  }

  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  class TrainingError extends Error {}

  const installed = new WeakSet(); // the Pythons that have nanonet_playground

  // -- the playground ---------------------------------------------------------

  class Playground {
    constructor(root) {
      this.root = root;
      this.pathname = location.pathname;
      const link = readLink(location.search);
      this.settings = link.settings;
      this.hidden = link.hidden;
      this.epoch = 0;
      this.frame = null; // the last frame from Python
      this.data = null; // what `start` said: points, extent, inputs' pictures
      this.history = []; // [epoch, train loss, test loss]
      this.playing = false;
      this.steps = 0;
      this.needsStart = true;
      this.started = false;
      this.focus = null; // the unit shown large: [layer, unit], or null for the boundary
      this.painted = 0; // when the pictures were last painted (reduced motion: seldom)
      this.makePage();
      this.showNotes(link.notes);
      this.showSettings();
      this.writeCode();
      this.observe();
      this.pump();
    }

    // The page: controls, buttons, numbers, pictures, code.
    makePage() {
      const root = this.root;
      root.replaceChildren();
      root.classList.add("pg");
      this.status = element("p", { class: "pg-status", role: "status", "aria-live": "polite" });
      this.notes = element("div", { class: "pg-notes", role: "note" });
      this.notes.hidden = true;

      const bar = element("div", { class: "pg-bar", role: "group", "aria-label": "Training" });
      this.playButton = element(
        "button",
        { type: "button", class: "run-button run-button--run pg-button" },
        "Play",
      );
      this.stepButton = element("button", { type: "button", class: "run-button pg-button" }, "Step");
      this.resetButton = element("button", { type: "button", class: "run-button pg-button" }, "Reset");
      this.stepButton.title = "Train one epoch";
      this.resetButton.title = "Start again from epoch 0, with the same settings";
      bar.append(this.playButton, this.stepButton, this.resetButton);
      // data-live: changes every epoch, never a width (docs/scroll-cues.js need not look)
      const numbers = element("dl", { class: "pg-numbers", "data-live": "" });
      const number = (label, attribute, title) => {
        const box = element("div", { class: "pg-number" });
        const value = element("dd", attribute ? { "data-playground": attribute } : {}, "–");
        if (title) box.title = title;
        box.append(element("dt", {}, label), value);
        numbers.append(box);
        return value;
      };
      this.epochText = number("Epoch", "epoch");
      this.trainLossText = number("Training loss", null);
      this.testLossText = number(
        "Test loss",
        "test-loss",
        "on the test points, which the network never trains on",
      );
      this.testAccuracyText = number(
        "Test accuracy",
        "test-accuracy",
        "the share of test points on their class's side",
      );
      bar.append(numbers);

      const main = element("div", { class: "pg-main" });
      main.append(this.buildControls(), this.buildNetwork(), this.buildOutput());
      root.append(this.status, this.notes, bar, main, this.buildCode());

      this.playButton.addEventListener("click", () => (this.playing ? this.pause() : this.play()));
      this.stepButton.addEventListener("click", () => this.step());
      this.resetButton.addEventListener("click", () => this.rebuild("Reset: epoch 0 again."));
    }

    buildControls() {
      const form = element("form", { class: "pg-controls", "aria-label": "Settings" });
      form.addEventListener("submit", (event) => event.preventDefault());
      this.fields = {};
      this.inputs = {};
      const groups = { data: "Data", network: "Network", training: "Training" };
      const sets = {};
      for (const [group, title] of Object.entries(groups)) {
        sets[group] = element("fieldset", { class: "pg-group" });
        sets[group].append(element("legend", {}, title));
        form.append(sets[group]);
      }
      for (const setting of SETTINGS) {
        const id = `pg-${setting.key}`;
        const field = element("div", { class: "pg-field" });
        field.append(element("label", { for: id }, setting.label));
        let input;
        if (setting.choices) {
          input = element("select", { id });
          for (const choice of setting.choices) {
            const [value, label] = Array.isArray(choice) ? choice : [choice, choice];
            input.append(element("option", { value }, label));
          }
        } else {
          input = element("input", {
            id,
            type: "number",
            min: setting.min,
            max: setting.max,
            step: 1,
            inputmode: "numeric",
          });
        }
        input.addEventListener("change", () => this.changed(setting.key));
        field.append(input);
        this.fields[setting.key] = field;
        this.inputs[setting.key] = input;
        if (setting.key === "activation") sets.network.append(this.buildLayers());
        sets[setting.group].append(field);
      }
      return form;
    }

    // The hidden layers: how many, and the units of each.
    buildLayers() {
      const box = element("div", { class: "pg-layers" });
      const count = element("div", { class: "pg-field" });
      count.append(element("label", { for: "pg-layers" }, "Hidden layers"));
      this.layerCount = element("input", {
        id: "pg-layers",
        type: "number",
        min: 0,
        max: MAX_LAYERS,
        step: 1,
        inputmode: "numeric",
      });
      this.layerCount.addEventListener("change", () => this.changed("layers"));
      count.append(this.layerCount);
      box.append(count);
      this.unitInputs = [];
      this.unitFields = [];
      for (let i = 0; i < MAX_LAYERS; i++) {
        const field = element("div", { class: "pg-field pg-field--units" });
        const id = `pg-units-${i + 1}`;
        field.append(element("label", { for: id }, `Units in layer ${i + 1}`));
        const input = element("input", {
          id,
          type: "number",
          min: 1,
          max: MAX_UNITS,
          step: 1,
          inputmode: "numeric",
        });
        input.addEventListener("change", () => this.changed("layers"));
        field.append(input);
        box.append(field);
        this.unitInputs.push(input);
        this.unitFields.push(field);
      }
      this.fields.layers = box;
      return box;
    }

    buildNetwork() {
      const section = element("section", { class: "pg-network", "aria-label": "The network" });
      section.append(element("h2", { class: "pg-title" }, "The network"));
      this.diagram = element("div", { class: "pg-diagram" });
      this.wires = svgElement("svg", { class: "pg-wires", "aria-hidden": "true" });
      this.columns = element("div", { class: "pg-columns" });
      this.diagram.append(this.wires, this.columns);
      section.append(
        this.diagram,
        element(
          "p",
          { class: "pg-legend" },
          "Each unit shows its output over the plane; hover over it or focus it to see it large. " +
            "Lines are the weights: orange positive, blue negative, thicker for larger.",
        ),
      );
      return section;
    }

    buildOutput() {
      const section = element("section", {
        class: "pg-output",
        "aria-label": "What the network says",
        "data-live": "",
      });
      this.caption = element("h2", { class: "pg-title" }, "The decision boundary");
      this.canvas = element("canvas", { class: "pg-plane", role: "img" });
      this.canvas.setAttribute(
        "aria-label",
        "The plane, shaded by the class the network gives each point, with the training and test points",
      );
      const key = element("p", { class: "pg-legend pg-key" });
      key.append(
        element("span", { class: "pg-swatch pg-swatch--0" }),
        "class 0 ",
        element("span", { class: "pg-swatch pg-swatch--1" }),
        "class 1 ",
        element("span", { class: "pg-dot" }),
        "training point ",
        element("span", { class: "pg-dot pg-dot--test" }),
        "test point",
      );
      this.chart = svgElement("svg", {
        class: "pg-chart",
        role: "img",
        "aria-label": "Training and test loss against the epoch",
      });
      const chartKey = element("p", { class: "pg-legend pg-key" });
      chartKey.append(
        element("span", { class: "pg-line" }),
        "training loss ",
        element("span", { class: "pg-line pg-line--test" }),
        "test loss",
      );
      section.append(
        this.caption,
        this.canvas,
        key,
        element("h2", { class: "pg-title" }, "Loss"),
        this.chart,
        chartKey,
      );
      return section;
    }

    buildCode() {
      const section = element("section", { class: "pg-code", "aria-label": "The program" });
      const bar = element("div", { class: "pg-bar pg-bar--code" });
      section.append(element("h2", { class: "pg-title" }, "The program"));
      this.copyButton = element("button", { type: "button", class: "run-button pg-button" }, "Copy");
      this.editButton = element("button", { type: "button", class: "run-button pg-button" }, "Edit");
      this.applyButton = element(
        "button",
        { type: "button", class: "run-button run-button--run pg-button" },
        "Apply",
      );
      this.cancelButton = element("button", { type: "button", class: "run-button pg-button" }, "Cancel");
      this.applyButton.hidden = this.cancelButton.hidden = true;
      this.codeStatus = element("span", {
        class: "pg-code-status",
        role: "status",
        "aria-live": "polite",
      });
      bar.append(
        this.copyButton,
        this.editButton,
        this.applyButton,
        this.cancelButton,
        this.codeStatus,
      );
      const block = element("div", { class: "highlight" });
      this.pre = element("pre", { tabindex: "0" });
      this.code = element("code", { "data-playground": "code" });
      this.pre.append(this.code);
      block.append(this.pre);
      this.editorBox = element("div", { class: "run-editor pg-editor" });
      this.editorBox.hidden = true;
      section.append(bar, block, this.editorBox);
      this.copyButton.addEventListener("click", () => this.copy());
      this.editButton.addEventListener("click", () => this.edit());
      this.applyButton.addEventListener("click", () => this.apply());
      this.cancelButton.addEventListener("click", () => this.closeEditor());
      return section;
    }

    // Theme, size and motion: repaint when they change.
    observe() {
      this.themeObserver = new MutationObserver(() => this.repaint());
      this.themeObserver.observe(document.body, {
        attributes: true,
        attributeFilter: ["data-md-color-scheme"],
      });
      this.resizeObserver = new ResizeObserver(() => this.repaint());
      this.resizeObserver.observe(this.canvas);
      this.resizeObserver.observe(this.diagram);
    }

    destroy() {
      this.destroyed = true;
      this.playing = false;
      this.themeObserver.disconnect();
      this.resizeObserver.disconnect();
      if (this.python) this.python.request({ type: "reset", scope: SCOPE }).catch(() => {});
    }

    // -- settings and controls ------------------------------------------------

    showSettings() {
      for (const setting of SETTINGS) {
        this.inputs[setting.key].value = String(this.settings[setting.key]);
        this.fields[setting.key].hidden = this.hidden.has(setting.key);
      }
      this.layerCount.value = String(this.settings.layers.length);
      this.unitFields.forEach((field, i) => {
        field.hidden = i >= this.settings.layers.length;
        this.unitInputs[i].value = String(this.settings.layers[i] || DEFAULT_LAYERS[0]);
      });
      this.fields.layers.hidden = this.hidden.has("layers");
    }

    // A control changed: check it, then rebuild the network from the new settings.
    changed(key) {
      if (key === "layers") {
        const wanted = /^\d$/.test(this.layerCount.value)
          ? Number(this.layerCount.value)
          : MAX_LAYERS + 1;
        const units = this.unitInputs
          .slice(0, wanted)
          .map((input) => input.value || String(DEFAULT_LAYERS[0]));
        const checked =
          wanted <= MAX_LAYERS ? check("layers", units.join(",")) : check("layers", "x");
        if (checked.problem) this.say(`The hidden layers must be ${checked.problem}.`);
        else this.settings.layers = checked.value;
      } else {
        const checked = check(key, this.inputs[key].value);
        if (checked.problem)
          this.say(`${LABELS[key]} must be ${checked.problem}; kept ${this.settings[key]}.`);
        else this.settings[key] = checked.value;
      }
      this.showSettings();
      this.rebuild();
    }

    // The settings changed, or Reset: the program is written again, and the
    // network starts afresh (epoch 0) with them; playing goes on.
    rebuild(message) {
      this.needsStart = true;
      this.epoch = 0;
      this.writeCode();
      this.search = writeLink(this.settings, this.hidden);
      history.replaceState(history.state, "", this.search + location.hash);
      if (message) this.say(message);
      this.pump();
    }

    writeCode() {
      this.program = write(this.settings, this.epoch);
      this.epochsNode = highlight(this.program, this.code);
      this.writtenEpoch = this.epoch;
    }

    // A link to this page with other settings (an experiment's), followed
    // without leaving the page (instant navigation), or Back: take them.
    relink(search) {
      const link = readLink(search);
      this.settings = link.settings;
      this.hidden = link.hidden;
      this.showNotes(link.notes);
      this.showSettings();
      if (this.editor) this.closeEditor();
      this.pause("The link's settings: press Play.");
      this.rebuild();
      this.root.scrollIntoView({ behavior: reducedMotion.matches ? "auto" : "smooth" });
    }

    showNotes(notes) {
      this.notes.replaceChildren();
      if (!notes.length) {
        this.notes.hidden = true;
        return;
      }
      this.notes.append(element("p", {}, "This link's settings were checked; some were not used:"));
      const list = element("ul");
      for (const note of notes.slice(0, 10)) list.append(element("li", {}, note));
      if (notes.length > 10) list.append(element("li", {}, `… and ${notes.length - 10} more.`));
      this.notes.append(list);
      this.notes.hidden = false;
    }

    say(text) {
      this.status.textContent = text;
    }

    // -- training: one request at a time ----------------------------------------

    play() {
      if (this.unavailable) return;
      this.playing = true;
      this.playButton.textContent = "Pause";
      this.stepButton.disabled = true;
      this.say(this.started ? "Playing." : "Play starts when Python has loaded…");
      this.pump();
    }

    pause(text) {
      this.playing = false;
      this.steps = 0;
      this.playButton.textContent = "Play";
      this.stepButton.disabled = false;
      this.say(text || "Paused.");
      this.repaint(); // the last frame, which reduced motion may not have painted yet
    }

    step() {
      if (this.playing) return;
      this.steps++;
      this.pump();
    }

    // The one loop that talks to Python: builds, epochs and steps, in turn.
    async pump() {
      if (this.pumping || this.destroyed) return;
      this.pumping = true;
      try {
        while (!this.destroyed) {
          if (this.needsStart) {
            this.needsStart = false;
            await this.start();
          } else if (!this.started) {
            break;
          } else if (this.playing) {
            await this.run();
          } else if (this.steps > 0) {
            this.steps--;
            const frame = await this.trainEpoch();
            if (!this.needsStart) this.show(frame);
          } else {
            break;
          }
        }
      } catch (error) {
        if (error instanceof TrainingError) {
          this.pause(`Training stopped at epoch ${this.epoch + 1}: ${error.message}`);
        } else {
          this.pause(`The in-page Python failed: ${error.message}`);
          this.started = false;
          this.needsStart = true; // the next Play or Step tries again
          this.python = null;
        }
      } finally {
        this.pumping = false;
      }
    }

    // The site's Python, with the playground's module installed.
    async connect() {
      if (this.python && !this.python.failed) return this.python;
      const python = await window.nanonetPython((text) => this.say(text));
      if (!installed.has(python)) {
        await python.request({ type: "install", url: MODULE, name: "nanonet_playground" });
        installed.add(python);
      }
      this.python = python;
      return python;
    }

    async request(code) {
      const result = await this.python.request({ type: "run", code, name: NAME, scope: SCOPE });
      if (result.status === "error") {
        const lines = result.text.trim().split("\n");
        throw new TrainingError(lines[lines.length - 1]);
      }
      return result.value;
    }

    // Run the program (its epochs' loop does not run: it is not __main__) and paint epoch 0.
    async start() {
      this.started = false;
      let python;
      try {
        python = await this.connect();
      } catch (error) {
        if (typeof window.nanonetPython !== "function" || /not included/.test(error.message)) {
          this.unavailable = true;
          this.pause(
            "The in-page Python is not in this build of the site, so the playground cannot " +
              "train here; the program below runs wherever nanonet is installed.",
          );
          return;
        }
        throw error;
      }
      // A fresh namespace, then in one message: the program, and the first frame.
      python.request({ type: "reset", scope: SCOPE }).catch(() => {}); // (answered in turn)
      const started = await this.request(
        `${this.program}\nimport nanonet_playground\nnanonet_playground.start(globals())\n`,
      );
      if (this.needsStart) return; // the settings changed meanwhile: start again
      this.data = started;
      this.history = [];
      this.epoch = 0;
      this.started = true;
      this.networks = (this.networks || 0) + 1;
      this.layout();
      this.show(started);
      if (this.playing) this.say("Playing.");
      else if (/^Loading|^Starting/.test(this.status.textContent))
        this.say("Ready: press Play, or Step for one epoch.");
    }

    trainEpoch() {
      return this.request("nanonet_playground.epoch()");
    }

    // Play: an epoch per message, the next one asked for before this one is
    // painted, at most one painted per screen refresh. Pause, or a changed
    // setting, stops it within one epoch.
    async run() {
      let pending = this.trainEpoch();
      while (pending) {
        const frame = await pending;
        pending = this.playing && !this.needsStart && !this.destroyed ? this.trainEpoch() : null;
        if (!this.needsStart) this.show(frame); // else a frame of the network that was
        if (pending) await nextFrame();
      }
    }

    // -- showing a frame ---------------------------------------------------------

    show(frame) {
      if (this.destroyed) return;
      this.frame = frame;
      this.epoch = frame.epoch;
      this.history.push([frame.epoch, frame.trainLoss, frame.testLoss]);
      this.epochText.textContent = String(frame.epoch);
      this.trainLossText.textContent = frame.trainLoss.toPrecision(6);
      this.testLossText.textContent = frame.testLoss.toPrecision(12);
      this.testLossText.dataset.value = String(frame.testLoss);
      this.testAccuracyText.textContent = `${(frame.testAccuracy * 100).toFixed(1)} %`;
      if (this.epochsNode) this.epochsNode.textContent = String(frame.epoch);
      this.program = write(this.settings, frame.epoch);
      // Calm under prefers-reduced-motion: the pictures change at most four times a second.
      const now = performance.now();
      if (this.playing && reducedMotion.matches && now - this.painted < 250) return;
      this.painted = now;
      this.paint();
    }

    repaint() {
      if (this.frame && this.data) this.paint();
    }

    paint() {
      this.colours = this.readColours();
      this.paintPlane();
      this.paintUnits();
      this.paintWires();
      this.paintChart();
      this.canvas.dataset.epoch = String(this.frame.epoch); // for tests: what is painted
      this.canvas.dataset.network = String(this.networks); // the how-many-th network
    }

    readColours() {
      const style = getComputedStyle(this.root);
      const hex = (name) => {
        const text = style.getPropertyValue(name).trim();
        const value = /^#[0-9a-f]{6}$/i.test(text) ? text : "#808080";
        return [1, 3, 5].map((i) => parseInt(value.slice(i, i + 2), 16));
      };
      const zero = hex("--pg-class-0");
      const one = hex("--pg-class-1");
      const key = `${zero}|${one}`;
      if (this.lut && this.lutKey === key) return this.lut;
      // 0 to 255: class 0's colour, fading out to nothing at 128, then class 1's;
      // as RGBA bytes, read four at a time (one pixel) through a Uint32Array.
      const lut = new Uint8ClampedArray(256 * 4);
      for (let b = 0; b < 256; b++) {
        const t = (b - 127.5) / 127.5;
        const colour = t < 0 ? zero : one;
        lut.set([...colour, Math.round(Math.abs(t) * 0.55 * 255)], b * 4);
      }
      this.lut = {
        lut: new Uint32Array(lut.buffer),
        zero,
        one,
        point: style.getPropertyValue("--pg-point-edge").trim() || "#fff",
      };
      this.lutKey = key;
      return this.lut;
    }

    // A picture (bytes, side × side) on a canvas of that size.
    picture(canvas, base64) {
      const values = bytes(base64);
      const side = Math.round(Math.sqrt(values.length));
      if (canvas.width !== side) canvas.width = canvas.height = side;
      const context = canvas.getContext("2d");
      const image = context.createImageData(side, side);
      const pixels = new Uint32Array(image.data.buffer);
      const { lut } = this.colours;
      for (let i = 0; i < values.length; i++) pixels[i] = lut[values[i]];
      context.putImageData(image, 0, 0);
      return canvas;
    }

    // The plane: the output over it (or the unit in focus), and the points.
    paintPlane() {
      const canvas = this.canvas;
      const ratio = window.devicePixelRatio || 1;
      const size = Math.max(1, Math.round(canvas.clientWidth * ratio));
      if (canvas.width !== size) canvas.width = canvas.height = size;
      const context = canvas.getContext("2d");
      context.clearRect(0, 0, size, size);
      this.scratch = this.scratch || document.createElement("canvas");
      const [layer, unit] = this.focus || [];
      const shown = this.focus
        ? layer < 0
          ? this.data.inputs[unit]
          : this.frame.units[layer][unit]
        : this.frame.output;
      context.imageSmoothingEnabled = true;
      context.drawImage(this.picture(this.scratch, shown), 0, 0, size, size);
      const [left, right, bottom, top] = this.data.extent;
      const x = (value) => ((value - left) / (right - left)) * size;
      const y = (value) => ((top - value) / (top - bottom)) * size;
      const radius = Math.max(2.5, size / 110);
      const { zero, one, point } = this.colours;
      for (const [points, test] of [
        [this.data.train, false],
        [this.data.test, true],
      ]) {
        for (const [a, b, label] of points) {
          const colour = `rgb(${label ? one : zero})`;
          context.beginPath();
          context.arc(x(a), y(b), radius, 0, 2 * Math.PI);
          context.fillStyle = test ? point : colour;
          context.fill();
          context.lineWidth = test ? radius * 0.7 : Math.max(1, radius * 0.3);
          context.strokeStyle = test ? colour : point;
          context.stroke();
        }
      }
    }

    // The network's diagram: a column per layer, a button per unit.
    layout() {
      const shape = [2, ...this.settings.layers, 1];
      const key = `${shape.join("-")} ${this.settings.activation}`; // the units' labels name it
      if (this.shapeKey === key) return;
      this.shapeKey = key;
      this.columns.replaceChildren();
      this.unitCanvases = [];
      this.wireLines = null; // placed again at the next paint
      const names = { tanh: "tanh", relu: "ReLU", sigmoid: "sigmoid" };
      shape.forEach((units, column) => {
        const box = element("div", { class: "pg-column" });
        const title =
          column === 0 ? "Inputs" : column === shape.length - 1 ? "Output" : `Layer ${column}`;
        box.append(element("div", { class: "pg-column-title" }, title));
        const canvases = [];
        for (let i = 0; i < units; i++) {
          let label;
          if (column === 0)
            label = `Input x[${i}]: the ${i ? "vertical" : "horizontal"} coordinate`;
          else if (column === shape.length - 1)
            label = "Output: the chance of class 1 over the plane, the decision boundary";
          else
            label = `Layer ${column}, unit ${i + 1} (${names[this.settings.activation]}): its output over the plane`;
          const unit = element("button", {
            type: "button",
            class: "pg-unit",
            "aria-label": label,
            title: label,
          });
          const canvas = element("canvas", { class: "pg-unit-picture", width: 33, height: 33 });
          unit.append(canvas);
          const focus = column === shape.length - 1 ? null : [column - 1, i];
          const enter = () => this.setFocus(focus, label);
          const leave = () => this.setFocus(null);
          unit.addEventListener("pointerenter", enter);
          unit.addEventListener("pointerleave", leave);
          unit.addEventListener("focus", enter);
          unit.addEventListener("blur", leave);
          box.append(unit);
          canvases.push(canvas);
        }
        this.columns.append(box);
        this.unitCanvases.push(canvases);
      });
    }

    // Show a unit's picture large in the plane, or (null) the boundary again.
    setFocus(focus, label) {
      this.focus = focus;
      this.caption.textContent = focus ? label.replace(/: .*/, "") : "The decision boundary";
      if (this.frame && this.data) {
        this.colours = this.readColours();
        this.paintPlane();
      }
    }

    paintUnits() {
      const pictures = [this.data.inputs, ...this.frame.units, [this.frame.output]];
      this.unitCanvases.forEach((canvases, column) =>
        canvases.forEach(
          (canvas, i) =>
            pictures[column] && pictures[column][i] && this.picture(canvas, pictures[column][i]),
        ),
      );
    }

    // The weights: a line from each unit to each unit of the next layer,
    // made and placed when the network's shape or size changes; each frame
    // only sets their colour, width and opacity.
    placeWires() {
      const box = this.diagram.getBoundingClientRect();
      this.wires.setAttribute("viewBox", `0 0 ${box.width} ${box.height}`);
      this.wires.setAttribute("width", box.width);
      this.wires.setAttribute("height", box.height);
      const ends = this.unitCanvases.map((canvases) =>
        canvases.map((canvas) => {
          const rect = canvas.getBoundingClientRect();
          return [
            rect.left - box.left,
            rect.right - box.left,
            rect.top - box.top + rect.height / 2,
          ];
        }),
      );
      this.wireLines = [];
      const lines = [];
      for (let layer = 0; layer + 1 < ends.length; layer++) {
        const rows = ends[layer + 1].map((to) =>
          ends[layer].map((from) => {
            const line = svgElement("line", { x1: from[1], y1: from[2], x2: to[0], y2: to[2] });
            lines.push(line);
            return line;
          }),
        );
        this.wireLines.push(rows);
      }
      this.wires.replaceChildren(...lines);
      this.wireSize = `${box.width}x${box.height}`;
    }

    paintWires() {
      const box = this.diagram.getBoundingClientRect();
      if (!this.wireLines || this.wireSize !== `${box.width}x${box.height}`) this.placeWires();
      this.frame.weights.forEach((matrix, layer) =>
        matrix.forEach((row, j) =>
          row.forEach((weight, i) => {
            const line =
              this.wireLines[layer] && this.wireLines[layer][j] && this.wireLines[layer][j][i];
            if (!line) return;
            const size = Math.abs(weight);
            line.setAttribute("class", weight >= 0 ? "pg-wire pg-wire--1" : "pg-wire pg-wire--0");
            line.setAttribute("stroke-width", Math.min(7, 0.4 + 2.2 * size).toFixed(1));
            line.setAttribute("stroke-opacity", Math.min(1, 0.3 + 0.7 * size).toFixed(2));
          }),
        ),
      );
    }

    // The loss curves: training and test loss against the epoch.
    paintChart() {
      if (!this.chartParts) {
        const text = (anchor) =>
          svgElement("text", { "text-anchor": anchor, class: "pg-axis-text" });
        this.chartParts = {
          axis: svgElement("path", { class: "pg-axis" }),
          top: text("end"),
          zero: text("end"),
          last: text("end"),
          train: svgElement("polyline", { class: "pg-curve" }),
          test: svgElement("polyline", { class: "pg-curve pg-curve--test" }),
        };
        this.chart.replaceChildren(...Object.values(this.chartParts));
        this.chartParts.zero.textContent = "0";
      }
      const parts = this.chartParts;
      const width = Math.max(100, this.chart.clientWidth || 300);
      const height = 120;
      const pad = { left: 40, right: 8, top: 8, bottom: 20 };
      const history = this.history;
      const last = Math.max(1, history[history.length - 1][0]);
      let top = 1e-3;
      for (const [, a, b] of history)
        top = Math.max(top, Number.isFinite(a) ? a : 0, Number.isFinite(b) ? b : 0);
      top *= 1.05;
      const x = (epoch) => pad.left + (epoch / last) * (width - pad.left - pad.right);
      const y = (loss) =>
        pad.top + (1 - Math.min(loss, top) / top) * (height - pad.top - pad.bottom);
      // At most one point per pixel.
      const step = Math.max(1, Math.ceil(history.length / (width - pad.left - pad.right)));
      const line = (index) =>
        history
          .filter((_, i) => i % step === 0 || i === history.length - 1)
          .map((entry) => `${x(entry[0]).toFixed(1)},${y(entry[index]).toFixed(1)}`)
          .join(" ");
      this.chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
      parts.axis.setAttribute(
        "d",
        `M${pad.left},${pad.top}V${height - pad.bottom}H${width - pad.right}`,
      );
      const place = (node, x0, y0, value) => {
        node.setAttribute("x", x0);
        node.setAttribute("y", y0);
        if (node.textContent !== value) node.textContent = value;
      };
      place(parts.top, pad.left - 4, pad.top + 8, top.toPrecision(2));
      place(parts.zero, pad.left - 4, height - pad.bottom, "0");
      place(parts.last, width - pad.right, height - 4, `epoch ${last}`);
      parts.train.setAttribute("points", line(1));
      parts.test.setAttribute("points", line(2));
    }

    // -- the code: copy, edit, apply ----------------------------------------------

    async copy() {
      const text = write(this.settings, this.epoch);
      try {
        await navigator.clipboard.writeText(text);
      } catch (error) {
        const area = element("textarea", { class: "pg-offscreen", "aria-hidden": "true" });
        area.value = text;
        document.body.append(area);
        area.select();
        const copied = document.execCommand("copy");
        area.remove();
        if (!copied) {
          this.codeStatus.textContent = "Could not copy: select the program and copy it yourself.";
          return;
        }
      }
      this.codeStatus.textContent = `Copied: the program at epoch ${this.epoch}. Run it with nanonet installed.`;
    }

    async edit() {
      const doc = write(this.settings, this.epoch).replace(/\n$/, "");
      const options = {
        parent: this.editorBox,
        doc,
        label:
          "The playground's program, editable: Ctrl+Enter applies it; Escape, then Tab, leaves the editor",
        onRun: () => this.apply(),
      };
      this.editorBox.replaceChildren();
      try {
        this.editor = (await import(EDITOR)).createEditor(options);
      } catch (error) {
        const area = element("textarea", {
          class: "run-editor__plain",
          spellcheck: "false",
          wrap: "off",
          "aria-label": options.label,
        });
        area.value = doc;
        area.rows = doc.split("\n").length;
        area.addEventListener("keydown", (event) => {
          if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            this.apply();
          }
        });
        this.editorBox.append(area);
        this.editor = {
          code: () => area.value,
          focus: () => area.focus(),
          destroy: () => area.remove(),
        };
      }
      this.pre.parentNode.hidden = true;
      this.editorBox.hidden = false;
      this.editButton.hidden = true;
      this.applyButton.hidden = this.cancelButton.hidden = false;
      this.codeStatus.textContent =
        "Edit the program, then Apply: the playground takes its settings.";
      this.editor.focus();
    }

    closeEditor(message) {
      if (this.editor) this.editor.destroy();
      this.editor = null;
      this.editorBox.replaceChildren();
      this.editorBox.hidden = true;
      this.pre.parentNode.hidden = false;
      this.editButton.hidden = false;
      this.applyButton.hidden = this.cancelButton.hidden = true;
      this.codeStatus.textContent = message || "";
      this.editButton.focus();
    }

    apply() {
      if (!this.editor) return;
      const result = read(this.editor.code(), this.settings, this.hidden);
      if (result.problem) {
        this.codeStatus.textContent = result.problem;
        return;
      }
      const before = writeLink(this.settings, this.hidden);
      this.settings = result.settings;
      this.showSettings();
      if (writeLink(this.settings, this.hidden) === before) {
        this.closeEditor("Applied: the program says what the controls say already.");
        return;
      }
      this.closeEditor(
        "Applied: the controls show the program's settings, and training starts again from epoch 0.",
      );
      this.rebuild();
    }
  }

  // -- the page's comings and goings (Material's instant navigation) ------------

  let current = null;

  function setup() {
    const root = document.querySelector("[data-playground-root]");
    if (current && current.root === root) return;
    if (current) current.destroy();
    current = root ? new Playground(root) : null;
  }

  // For tests and for scripts of a course: the pure parts, and the playground shown.
  window.nanonetPlayground = { readLink, writeLink, write, read, check, current: () => current };

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setup);
    // Back and Forward between two settings of this page: Material announces
    // the address, but fetches no new document for the same page.
    window.location$.subscribe((url) => {
      const same = current && url.pathname === current.pathname;
      if (same && url.search !== current.search) current.relink(url.search);
    });
    // A link to this page with other settings (an experiment's): taken here.
    // (Material would take it for a link to where the reader is already, and
    // undo it.)
    document.addEventListener(
      "click",
      (event) => {
        const link = event.target instanceof Element && event.target.closest("a[href]");
        if (!current || !link || link.target || event.button !== 0) return;
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        const url = new URL(link.href);
        if (url.origin !== location.origin || url.pathname !== current.pathname) return;
        if (!url.search || url.hash) return;
        event.preventDefault();
        event.stopPropagation();
        history.pushState(null, "", url);
        current.relink(url.search);
      },
      true,
    );
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
