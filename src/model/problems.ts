// Problems found while loading or validating a model: one line each,
// `path:line: level: message`, sorted by file and line, errors and warnings.

export type Level = 'error' | 'warning';

export interface Problem {
  /** Path relative to the SoT root, with forward slashes. */
  file: string;
  /** 1-based line; 0 when the problem concerns the file as a whole. */
  line: number;
  level: Level;
  message: string;
}

export class Problems {
  readonly list: Problem[] = [];

  error(file: string, line: number, message: string): void {
    this.list.push({ file, line, level: 'error', message });
  }

  warning(file: string, line: number, message: string): void {
    this.list.push({ file, line, level: 'warning', message });
  }

  add(p: Problem): void {
    this.list.push(p);
  }

  get errorCount(): number {
    return this.list.filter((p) => p.level === 'error').length;
  }

  get warningCount(): number {
    return this.list.length - this.errorCount;
  }

  sorted(): Problem[] {
    return [...this.list].sort(compareProblems);
  }
}

export function compareProblems(a: Problem, b: Problem): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}: ${p.level}: ${p.message}`;
}
