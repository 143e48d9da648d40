// A set of named templates compiled once and rendered many times, like a Go
// *template.Template with its associated templates: parse adds a template
// and its defines; execute renders one by name with per-call functions.
import { builtins } from './builtins.ts';
import { TemplateExecError } from './errors.ts';
import { executeTree, type MissingKey } from './exec.ts';
import { isEmptyTree, parse, type ParsedTree } from './parse.ts';
import type { GoFunc, GoValue } from './value.ts';

export type { MissingKey } from './exec.ts';

export interface TemplateSetOptions {
  /**
   * Functions callable from templates, by name (Go's FuncMap). Names are
   * fixed when a template is parsed (an unknown name is a parse error); the
   * values can be replaced per execution. A function's arity is its
   * `length`; a throw becomes Go's "error calling NAME: ...". Default: none.
   */
  funcs?: Record<string, GoFunc>;
  /** What a missing map key gives: 'default' (<no value>), 'zero' or 'error'. Default 'default'. */
  missingKey?: MissingKey;
  /** Accept `{{else with}}` as Go 1.23 does; Go 1.19 (the oracle) rejects it. Default false. */
  elseWith?: boolean;
}

export interface ExecuteOptions {
  /** Function values for this execution, overriding the set's (names must be known to the set). */
  funcs?: Record<string, GoFunc>;
  /** Overrides the set's missingKey for this execution. */
  missingKey?: MissingKey;
}

const goodName = /^[\p{L}_][\p{L}\p{Nd}_]*$/u;

export class TemplateSet {
  private readonly trees = new Map<string, ParsedTree>();
  private readonly funcs: Record<string, GoFunc>;
  private readonly missingKey: MissingKey;
  private readonly elseWith: boolean;

  constructor(opts: TemplateSetOptions = {}) {
    this.funcs = { ...opts.funcs };
    for (const name of Object.keys(this.funcs)) {
      if (!goodName.test(name)) throw new Error(`function name ${JSON.stringify(name)} is not a valid identifier`);
    }
    this.missingKey = opts.missingKey ?? 'default';
    this.elseWith = opts.elseWith ?? false;
  }

  /** Parses `text` as template `name` plus its defines (Go's set.New(name).Parse(text)); throws TemplateParseError. */
  parse(name: string, text: string): this {
    const trees = parse(name, text, {
      hasFunction: (f) => Object.prototype.hasOwnProperty.call(this.funcs, f) || Object.prototype.hasOwnProperty.call(builtins, f),
      elseWith: this.elseWith,
    });
    for (const [n, tree] of trees) {
      // Go keeps an existing definition rather than replace it with an empty one.
      const old = this.trees.get(n);
      if (old && isEmptyTree(tree.root)) continue;
      this.trees.set(n, tree);
    }
    return this;
  }

  has(name: string): boolean {
    return this.trees.has(name);
  }

  names(): string[] {
    return [...this.trees.keys()];
  }

  /** Renders template `name` with `data` as dot; throws TemplateExecError. */
  execute(name: string, data: unknown, opts: ExecuteOptions = {}): string {
    const tree = this.trees.get(name);
    if (!tree) throw new TemplateExecError(name, `template: ${name}: ${JSON.stringify(name)} is an incomplete or empty template`);
    const extra = opts.funcs;
    const funcs = this.funcs;
    const lookupFunc = extra
      ? (f: string): GoFunc | undefined => (Object.prototype.hasOwnProperty.call(extra, f) && Object.prototype.hasOwnProperty.call(funcs, f) ? extra[f] : own(funcs, f))
      : (f: string): GoFunc | undefined => own(funcs, f);
    return executeTree(
      { lookup: (n) => this.trees.get(n), funcs: lookupFunc, missingKey: opts.missingKey ?? this.missingKey },
      tree,
      data as GoValue,
    );
  }
}

function own(funcs: Record<string, GoFunc>, f: string): GoFunc | undefined {
  return Object.prototype.hasOwnProperty.call(funcs, f) ? funcs[f] : undefined;
}
