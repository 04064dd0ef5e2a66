// The editor of the docs' Run buttons (docs/run/run.js): CodeMirror 6, with
// what editing a short Python block needs and nothing more.
//
// - Tab and Shift-Tab indent and dedent (indentWithTab). For keyboard users,
//   Escape, then Tab, leaves the editor, as CodeMirror documents: Escape
//   turns on its "tab focus mode" for the next key.
// - Enter keeps the indentation, and indents after a colon (lang-python).
// - Highlighting while editing, with the classes of @lezer/highlight's
//   classHighlighter (tok-keyword, ...), coloured in run.css with the
//   page's own code colours, light and dark.
// - Ctrl+Enter (Cmd+Enter) runs the block.
//
// docs/_tools/build_editor.py bundles this file with esbuild, from the npm
// packages pinned in package.json and package-lock.json, into run/editor.js.
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { EditorState } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, keymap } from "@codemirror/view";
import { classHighlighter } from "@lezer/highlight";

/**
 * An editor in `parent`, holding `doc`.
 * @param {{parent: HTMLElement, doc: string, label: string, onRun: () => void}} options
 * @returns {{code: () => string, focus: () => void, destroy: () => void}}
 */
export function createEditor({ parent, doc, label, onRun }) {
  const run = () => {
    onRun();
    return true;
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        history(),
        drawSelection(),
        highlightActiveLine(),
        indentOnInput(),
        bracketMatching(),
        indentUnit.of("    "),
        EditorState.tabSize.of(4),
        python(),
        syntaxHighlighting(classHighlighter),
        keymap.of([
          { key: "Mod-Enter", run },
          indentWithTab,
          ...defaultKeymap,
          ...historyKeymap,
        ]),
        EditorView.contentAttributes.of({ "aria-label": label }),
      ],
    }),
  });
  return {
    code: () => view.state.doc.toString(),
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
