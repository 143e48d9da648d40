// One differential case: a template with its data, rendered by Go (the
// oracle) and by our engine; both must succeed with the same output or both
// fail. Add cases by appending to any file in this folder and listing the
// file in index.ts.

export interface TemplateCase {
  /** Unique, readable id shown on failure. */
  name: string;
  template: string;
  /** Template file base name (the name it is parsed and executed under). Default 't.tmpl'. */
  file?: string;
  /** The dot, as JSON (numbers are float64 to Go). Default {}. */
  data?: unknown;
  /** Snippet files parsed first, as [file name, text]. */
  snippets?: [string, string][];
  /** Zero-argument functions returning the given string (like Checkpoint). */
  funcs?: Record<string, string>;
  missingKey?: 'default' | 'zero' | 'error';
}
