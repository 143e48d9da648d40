// What a typed-asset validator reports: one entry per problem found in the
// rendered text, with the 1-based line it is about.

/** `error`: the consumer would reject or misread the document. `warning`: accepted, but suspicious. */
export type Level = 'error' | 'warning';

export interface AssetProblem {
  /** 1-based line in the rendered text. */
  line: number;
  level: Level;
  message: string;
}

/**
 * Document order, each problem once: problems on the same line keep the order
 * they were found in, and a node reached twice (through a YAML alias) is not
 * reported twice.
 */
export function inDocumentOrder(problems: AssetProblem[]): AssetProblem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.line}\u0000${p.level}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // Array.prototype.sort is stable (ES2019), which keeps the walk order within a line.
  return unique.sort((a, b) => a.line - b.line);
}
