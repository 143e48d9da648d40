// Parses rendered YAML the way the Go consumers read it (gopkg.in/yaml.v2:
// YAML 1.1 scalars, first document only) and turns syntax errors into problems.
import { LineCounter, isScalar, parseAllDocuments } from 'yaml';
import type { Document, Node } from 'yaml';
import type { AssetProblem } from './problem.ts';

export interface ParsedYaml {
  /** The first document; undefined when the text holds no document at all. */
  doc: Document | undefined;
  /** Its root node; undefined when the document is empty (only comments, `---`, or `~`). */
  root: Node | undefined;
  lineCounter: LineCounter;
  /** Syntax errors (then `root` must not be trusted) and parser warnings. */
  problems: AssetProblem[];
  syntaxOk: boolean;
}

export interface YamlOptions {
  /** '1.1' for yaml.v2 consumers (`on`, `yes` are booleans, `0644` is octal); '1.2' for JSON text. */
  version: '1.1' | '1.2';
}

export function parseYaml(text: string, options: YamlOptions): ParsedYaml {
  const lineCounter = new LineCounter();
  // uniqueKeys off: yaml.v2 accepts a repeated key (the last wins); the shape
  // walk reports it as a warning instead of the parser failing on it.
  const docs = parseAllDocuments(text, { version: options.version, lineCounter, uniqueKeys: false, prettyErrors: false });
  const problems: AssetProblem[] = [];
  const linesWithErrors = new Set<number>();
  for (const d of docs) {
    for (const e of d.errors) {
      const line = lineCounter.linePos(e.pos[0]).line;
      // One mistake often yields several parser errors on the same line; the first says it best.
      if (linesWithErrors.has(line)) continue;
      linesWithErrors.add(line);
      problems.push({ line, level: 'error', message: `YAML syntax error: ${firstLine(e.message)}` });
    }
    for (const w of d.warnings) {
      problems.push({ line: lineCounter.linePos(w.pos[0]).line, level: 'warning', message: `YAML: ${firstLine(w.message)}` });
    }
  }
  const [doc, ...rest] = docs;
  const root = doc?.contents ?? undefined;
  for (const extra of rest) {
    if (isEmpty(extra.contents ?? undefined)) continue;
    const line = lineCounter.linePos(extra.range[0]).line;
    problems.push({ line, level: 'warning', message: 'only the first YAML document is read; this one is ignored' });
  }
  return { doc, root: isEmpty(root) ? undefined : root, lineCounter, problems, syntaxOk: linesWithErrors.size === 0 };
}

function isEmpty(node: Node | undefined): boolean {
  return node === undefined || (isScalar(node) && node.value === null);
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
