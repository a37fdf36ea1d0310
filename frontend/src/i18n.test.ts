/// <reference types="node" />
/**
 * The catalogs are whole, and screens speak only through them. Fails on:
 *  - a key of `en` that `es` lacks or leaves empty (or one `es` has that `en` does not);
 *  - a translation whose `{{placeholders}}` differ from the English ones;
 *  - JSX text, or a user-visible attribute (aria-label, placeholder, title, alt, and our
 *    components' label/hint/lead/title props, also as `{ label: "…" }` objects) written as a
 *    literal in a screen or component instead of `t("…")`.
 * Keys used in code are checked by tsc (lib/i18n.ts types `t` with the English catalog).
 */

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import en from "./locales/en.json";
import es from "./locales/es.json";

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1] ?? "").sort();
}

describe("catalogs", () => {
  const english = flatten(en as Tree);
  const spanish = flatten(es as Tree);

  it("has every English key in Spanish, not empty", () => {
    const missing = [...english.keys()].filter((k) => !(spanish.get(k) ?? "").trim());
    expect(missing).toEqual([]);
  });

  it("has no Spanish key English lacks", () => {
    expect([...spanish.keys()].filter((k) => !english.has(k))).toEqual([]);
  });

  it("keeps the same placeholders in both", () => {
    const differ = [...english].filter(([k, v]) => placeholders(v).join() !== placeholders(spanish.get(k) ?? "").join());
    expect(differ.map(([k]) => k)).toEqual([]);
  });

  it("has no empty English text", () => {
    expect([...english].filter(([, v]) => !v.trim()).map(([k]) => k)).toEqual([]);
  });
});

// --- literals that bypass the catalog -------------------------------------------------------

const SRC = new URL(".", import.meta.url).pathname;

/** Attributes a person reads or hears, and our components' props that become them. */
const VISIBLE_ATTRIBUTES = new Set(["aria-label", "placeholder", "title", "alt", "label", "hint", "lead", "legend", "busy", "question", "text"]);

/** Screens and components still speaking English literals: none left, and it stays empty. */
const NOT_YET: ReadonlySet<string> = new Set([]);

function* tsxFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* tsxFiles(path);
    else if (entry.name.endsWith(".tsx")) yield path;
  }
}

/** Names that are the same in every language. */
const NAMES = new Set(["FamilyRepair"]);

/** Words a person would read: letters in any script (not only punctuation, digits or emoji). */
function hasWords(text: string): boolean {
  return /\p{L}{2,}/u.test(text) && !NAMES.has(text.trim());
}

/** `file:line  text` for every JSX literal a person would read. */
export function literalsIn(path: string, source: string): string[] {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const at = (node: ts.Node, text: string): void => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
    found.push(`${relative(SRC, path)}:${line + 1}  ${text.trim()}`);
  };
  /** The literals an expression can evaluate to (not those it compares or indexes with). */
  const shown = (n: ts.Expression): void => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) {
      if (hasWords(n.text)) at(n, n.text);
    } else if (ts.isTemplateExpression(n)) {
      if (hasWords(n.head.text + n.templateSpans.map((span) => span.literal.text).join(""))) at(n, n.getText(file));
    } else if (ts.isParenthesizedExpression(n)) {
      shown(n.expression);
    } else if (ts.isConditionalExpression(n)) {
      shown(n.whenTrue);
      shown(n.whenFalse);
    } else if (ts.isBinaryExpression(n)) {
      const op = n.operatorToken.kind;
      if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) shown(n.left);
      if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.AmpersandAmpersandToken) shown(n.right);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node) && hasWords(node.text)) at(node, node.text);
    if (ts.isJsxAttribute(node) && VISIBLE_ATTRIBUTES.has(node.name.getText(file))) {
      const init = node.initializer;
      if (init && ts.isStringLiteral(init) && hasWords(init.text)) at(node, init.text);
      if (init && ts.isJsxExpression(init) && init.expression) shown(init.expression);
    }
    if (ts.isPropertyAssignment(node) && VISIBLE_ATTRIBUTES.has(node.name.getText(file).replace(/"/g, ""))) {
      shown(node.initializer); // { label: "…" } handed to a component
    }
    if (ts.isJsxExpression(node) && node.expression && node.parent && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) {
      shown(node.expression); // {"…"} or {cond ? "…" : x} as a child: text too
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe("screens and components", () => {
  const files = [...tsxFiles(join(SRC, "screens")), ...tsxFiles(join(SRC, "components")), join(SRC, "App.tsx")];

  it("speak only through the catalog", () => {
    const literals = files
      .filter((f) => !NOT_YET.has(relative(SRC, f)))
      .flatMap((f) => literalsIn(f, readFileSync(f, "utf8")));
    expect(literals).toEqual([]);
  });

  it("lists in NOT_YET only files that exist and still have literals", () => {
    const stale = [...NOT_YET].filter((rel) => {
      const path = join(SRC, rel);
      try {
        return literalsIn(path, readFileSync(path, "utf8")).length === 0;
      } catch {
        return true;
      }
    });
    expect(stale).toEqual([]);
  });

  it("catches a literal (the check can fail)", () => {
    const src = `export const A = () => <p title="Hello there">Hi there {x ? "yes sir" : t("k")}<b aria-label={\`Go \${n}\`} /><F f={{ label: "Your name" }} /></p>;`;
    expect(literalsIn(join(SRC, "screens/Probe.tsx"), src)).toHaveLength(5);
    expect(literalsIn(join(SRC, "screens/Probe.tsx"), `export const A = () => <p title={t("a")}>{t("b")} — 🙂 {n}</p>;`)).toEqual([]);
  });
});
