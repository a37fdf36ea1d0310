/// <reference types="node" />
/**
 * The catalogs are whole, and screens speak only through them. Fails on:
 *  - a key of `en` that `es` lacks or leaves empty (or one `es` has that `en` does not), in the
 *    main catalogs and in the therapist's (`care`, locales/care/);
 *  - a translation whose `{{placeholders}}` differ from the English ones;
 *  - JSX text, or a user-visible attribute (aria-label, placeholder, title, alt, and our
 *    components' label/hint/lead/title props, also as `{ label: "…" }` objects) written as a
 *    literal in a screen or component instead of `t("…")`.
 *  - a `care:` word, or the care catalogs, used outside the therapist's code (a family's device
 *    never loads them, so such a word would show as its key).
 * Keys used in code are checked by tsc (lib/i18n.ts types `t` with the English catalogs).
 */

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import careEn from "./locales/care/en.json";
import careEs from "./locales/care/es.json";
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

const CATALOGS = [
  ["main", en, es],
  ["care", careEn, careEs],
] as const;

describe.each(CATALOGS)("the %s catalogs", (_name, enTree, esTree) => {
  const english = flatten(enTree as Tree);
  const spanish = flatten(esTree as Tree);

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

// --- the therapist's words stay in the therapist's code ---------------------------------------

/** The care chunks: screens/care, components/care, and the two lib modules only they import. */
function isCareCode(rel: string): boolean {
  return rel.startsWith("screens/care/") || rel.startsWith("components/care/") || rel === "lib/careFormat.ts" || rel === "lib/careWords.ts";
}

/** Why `rel` would pull the care words into family code, if it does. */
export function careUses(source: string): string[] {
  return [...source.matchAll(/["'`]care:[\w.]+|["'](?:\.{1,2}\/)+(?:lib\/)?careWords["']|locales\/care\//g)].map((m) => m[0]);
}

function* codeFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* codeFiles(path);
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".test.ts")) yield path;
  }
}

describe("the care namespace", () => {
  it("is used only by the therapist's code (lib/i18n.ts types it, lib/lazy.tsx awaits it)", () => {
    const outside = [...codeFiles(SRC)]
      .map((f) => relative(SRC, f))
      .filter((rel) => !isCareCode(rel) && rel !== "lib/i18n.ts" && rel !== "lib/lazy.tsx")
      .flatMap((rel) => careUses(readFileSync(join(SRC, rel), "utf8")).map((use) => `${rel}  ${use}`));
    expect(outside).toEqual([]);
  });

  it("catches a care word in family code (the check can fail)", () => {
    expect(careUses(`import { t } from "../lib/careWords"; t("care:caseload.title"); import("./locales/care/es.json")`)).toHaveLength(3);
    expect(careUses(`t("shell.care"); import("./care/TherapistHome")`)).toEqual([]);
  });
});
