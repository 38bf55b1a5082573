/**
 * The browser loads one language's words, from a chunk of its own (components/i18n): no client
 * component may reach a dictionary by a static import, or the bundler puts both languages into the
 * chunks every page loads. Checked on the source's import graph (type-only imports and dynamic
 * import() left out, as the bundler leaves them out of a chunk).
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DICTIONARIES = ["lib/i18n/ja.ts", "lib/i18n/en.ts", "lib/i18n/dictionaries.ts"];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(rel);
    return /\.tsx?$/.test(e.name) ? [rel] : [];
  });
}

function resolve(from: string, specifier: string): string | null {
  const base = specifier.startsWith("@/") ? specifier.slice(2) : specifier.startsWith(".") ? path.join(path.dirname(from), specifier) : null;
  if (base === null) return null; // a package
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    if (fs.existsSync(path.join(ROOT, candidate)) && fs.statSync(path.join(ROOT, candidate)).isFile()) return path.normalize(candidate);
  }
  return null;
}

const importsOf = new Map<string, string[]>();

/** The modules a file imports for their values (what a bundler must put beside it). */
function staticImports(file: string): string[] {
  const known = importsOf.get(file);
  if (known) return known;
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: string[] = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
      out.push(node.moduleSpecifier.text);
    }
  }
  const files = out.flatMap((s) => resolve(file, s) ?? []);
  importsOf.set(file, files);
  return files;
}

/**
 * The first static import path from `file` to a dictionary, if any. `seen` may be shared between
 * calls: a module already explored led nowhere (else that call found the path and stopped).
 */
function pathToDictionary(file: string, seen = new Set<string>()): string[] | null {
  if (DICTIONARIES.includes(file)) return [file];
  if (seen.has(file)) return null;
  seen.add(file);
  for (const next of staticImports(file)) {
    const rest = pathToDictionary(next, seen);
    if (rest) return [file, ...rest];
  }
  return null;
}

const clientModules = ["app", "components", "lib"].flatMap(sourceFiles).filter((f) => /^\s*["']use client["']/.test(fs.readFileSync(path.join(ROOT, f), "utf8")));

describe("the dictionaries in the browser", () => {
  it("finds the client components (the check below looks at something)", () => {
    expect(clientModules.length).toBeGreaterThan(40);
    expect(clientModules).toContain(path.normalize("components/calendar/calendar-grid.tsx"));
    expect(clientModules).toContain(path.normalize("components/i18n/dictionary-ja.ts"));
  });

  it("sees a static import of a dictionary where there is one (the server's translator)", () => {
    expect(pathToDictionary("lib/i18n/server.ts")).toEqual(["lib/i18n/server.ts", "lib/i18n/dictionaries.ts"]);
  });

  it("no client component imports a dictionary statically, directly or through other modules", () => {
    const seen = new Set<string>();
    const reached = clientModules.map((f) => pathToDictionary(f, seen)).filter((p) => p !== null);
    expect(reached.map((p) => p.join(" → "))).toEqual([]);
  });

  it("each language's client module loads its words dynamically (a chunk of its own)", () => {
    expect(fs.readFileSync(path.join(ROOT, "components/i18n/dictionary-ja.ts"), "utf8")).toMatch(/await import\("@\/lib\/i18n\/ja"\)/);
    expect(fs.readFileSync(path.join(ROOT, "components/i18n/dictionary-en.ts"), "utf8")).toMatch(/await import\("@\/lib\/i18n\/en"\)/);
  });
});
