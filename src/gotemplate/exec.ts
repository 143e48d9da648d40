// The executor: walks a parsed template over data with Go's evaluation
// rules (exec.go): field chains on maps, missingkey, variables, pipelines
// with the previous value as final argument, and/or short-circuit,
// if/with/range/template, break/continue, and Go-shaped errors naming the
// template, line, column and action.
import { nodeString, type ChainNode, type CommandNode, type FieldNode, type IdentifierNode, type ListNode, type Node, type NumberNode, type PipeNode, type RangeNode, type VariableNode } from './ast.ts';
import { builtins, callUser, FuncError, type FuncSpec, type ParamKind } from './builtins.ts';
import { TemplateExecError } from './errors.ts';
import { formatValue } from './fmt.ts';
import type { ParsedTree } from './parse.ts';
import { byteLength, GoComplex, isMap, isTrue, sortedKeys, typeName, type GoFunc, type GoValue } from './value.ts';

export type MissingKey = 'default' | 'zero' | 'error';

export interface ExecContext {
  lookup: (name: string) => ParsedTree | undefined;
  funcs: (name: string) => GoFunc | undefined;
  missingKey: MissingKey;
}

const MISSING: unique symbol = Symbol('missingVal');
type Final = GoValue | typeof MISSING;

// Walk results: how control leaves a list.
const NORMAL = 0;
const BREAK = 1;
const CONTINUE = 2;
type Flow = typeof NORMAL | typeof BREAK | typeof CONTINUE;

const MAX_DEPTH = 100000;

class State {
  out = '';
  names: string[] = [];
  values: GoValue[] = [];
  node: Node | null = null;

  constructor(
    readonly ctx: ExecContext,
    public tmpl: ParsedTree,
    public depth: number,
  ) {}

  errorf(node: Node | null, msg: string): never {
    const t = this.tmpl;
    if (!node) throw new TemplateExecError(t.name, `template: ${t.name}: ${msg}`, this.out);
    const before = t.text.slice(0, node.pos);
    const nl = before.lastIndexOf('\n');
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const col = nl === -1 ? byteLength(before) : byteLength(before.slice(nl + 1));
    throw new TemplateExecError(t.name, `template: ${t.parseName}:${line}:${col}: executing ${JSON.stringify(t.name)} at <${nodeString(node)}>: ${msg}`, this.out);
  }

  push(name: string, v: GoValue): void {
    this.names.push(name);
    this.values.push(v);
  }

  pop(mark: number): void {
    this.names.length = mark;
    this.values.length = mark;
  }

  varIndex(node: Node, name: string): number {
    for (let i = this.names.length - 1; i >= 0; i--) if (this.names[i] === name) return i;
    return this.errorf(node, `undefined variable: ${name}`);
  }

  walkList(dot: GoValue, list: ListNode): Flow {
    const nodes = list.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const f = this.walk(dot, nodes[i]!);
      if (f !== NORMAL) return f;
    }
    return NORMAL;
  }

  walk(dot: GoValue, node: Node): Flow {
    switch (node.type) {
      case 'text':
        this.out += node.text;
        return NORMAL;
      case 'action': {
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, v);
        return NORMAL;
      }
      case 'if': case 'with': {
        const mark = this.names.length;
        const v = this.evalPipeline(dot, node.pipe);
        let f: Flow = NORMAL;
        if (isTrue(v)) f = this.walkList(node.type === 'with' ? v : dot, node.list);
        else if (node.elseList) f = this.walkList(dot, node.elseList);
        this.pop(mark);
        return f;
      }
      case 'range': return this.walkRange(dot, node);
      case 'template': {
        const t = this.ctx.lookup(node.name);
        if (!t) this.errorf(node, `template ${JSON.stringify(node.name)} not defined`);
        if (this.depth >= MAX_DEPTH) this.errorf(node, `exceeded maximum template depth (${MAX_DEPTH})`);
        const newDot = node.pipe ? this.evalPipeline(dot, node.pipe) : undefined;
        const sub = new State(this.ctx, t, this.depth + 1);
        sub.push('$', newDot);
        sub.out = this.out;
        sub.walkList(newDot, t.root);
        this.out = sub.out;
        return NORMAL;
      }
      case 'break': return BREAK;
      case 'continue': return CONTINUE;
      case 'list': return this.walkList(dot, node);
      default:
        return this.errorf(node, `unknown node: ${nodeString(node)}`);
    }
  }

  walkRange(dot: GoValue, r: RangeNode): Flow {
    const outer = this.names.length;
    const val = this.evalPipeline(dot, r.pipe);
    const mark = this.names.length;
    const ndecl = r.pipe.decl.length;
    let ran = false;
    const one = (index: GoValue, elem: GoValue): boolean => {
      if (ndecl > 0) this.values[mark - 1] = elem;
      if (ndecl > 1) this.values[mark - 2] = index;
      const f = this.walkList(elem, r.list);
      this.pop(mark);
      return f === BREAK;
    };
    if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i++) {
        ran = true;
        if (one(BigInt(i), val[i])) break;
      }
    } else if (isMap(val)) {
      for (const k of sortedKeys(val)) {
        ran = true;
        if (one(k, val[k])) break;
      }
    } else if (val !== undefined) {
      this.errorf(r, `range can't iterate over ${formatValue(val)}`);
    }
    if (!ran && r.elseList) {
      const f = this.walkList(dot, r.elseList);
      this.pop(outer);
      return f;
    }
    this.pop(outer);
    return NORMAL;
  }

  printValue(node: Node, v: GoValue): void {
    if (v === undefined) this.out += '<no value>';
    else if (typeof v === 'string') this.out += v;
    // Fast paths: small whole float64s and ints print as plain digits (%v switches to e-notation at 1e6).
    else if (typeof v === 'number' && Number.isInteger(v) && v > -1e6 && v < 1e6 && !Object.is(v, -0)) this.out += String(v);
    else if (typeof v === 'bigint') this.out += v.toString();
    else if (typeof v === 'function') this.errorf(node, `can't print ${nodeString(node)} of type ${typeName(v)}`);
    else this.out += formatValue(v);
  }

  evalPipeline(dot: GoValue, pipe: PipeNode): GoValue {
    let value: Final = MISSING;
    const cmds = pipe.cmds;
    for (let i = 0; i < cmds.length; i++) {
      value = this.evalCommand(dot, cmds[i]!, value);
      // An interface{} result is unwrapped; a nil one becomes no value.
      if (value === null) value = undefined;
    }
    const v = value as GoValue;
    for (const d of pipe.decl) {
      if (pipe.isAssign) this.values[this.varIndex(d, d.ident[0]!)] = v;
      else this.push(d.ident[0]!, v);
    }
    return v;
  }

  notAFunction(args: Node[] | null, final: Final): void {
    if ((args && args.length > 1) || final !== MISSING) this.errorf(args?.[0] ?? null, `can't give argument to non-function ${nodeString(args![0]!)}`);
  }

  evalCommand(dot: GoValue, cmd: CommandNode, final: Final): GoValue {
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field': return this.evalFieldChain(dot, dot, first, first.ident, cmd.args, final);
      case 'chain': return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier': return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable': return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool': return first.value;
      case 'dot': return dot;
      case 'nil': return this.errorf(first, 'nil is not a command');
      case 'number': return this.idealConstant(first);
      case 'string': return first.text;
    }
    return this.errorf(first, `can't evaluate command ${JSON.stringify(nodeString(first))}`);
  }

  idealConstant(n: NumberNode): GoValue {
    if (n.isComplex) return new GoComplex(n.complex[0], n.complex[1]);
    const hexInt = n.text.length > 2 && n.text[0] === '0' && (n.text[1] === 'x' || n.text[1] === 'X') && !/[pP]/.test(n.text);
    if (n.isFloat && !hexInt && n.text[0] !== '\'' && /[.eEpP]/.test(n.text)) return n.float;
    if (n.isInt) return n.int;
    if (n.isUint) this.errorf(n, `${n.text} overflows int`);
    return undefined;
  }

  evalChainNode(dot: GoValue, chain: ChainNode, args: Node[] | null, final: Final): GoValue {
    if (chain.node.type === 'nil') this.errorf(chain, `indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  evalVariableNode(dot: GoValue, v: VariableNode, args: Node[] | null, final: Final): GoValue {
    const value = this.values[this.varIndex(v, v.ident[0]!)];
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  evalFieldChain(dot: GoValue, receiver: GoValue, node: Node, ident: string[], args: Node[] | null, final: Final): GoValue {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(ident[i]!, node, null, MISSING, receiver);
    return this.evalField(ident[n - 1]!, node, args, final, receiver);
  }

  evalField(name: string, node: Node, args: Node[] | null, final: Final, receiver: GoValue): GoValue {
    if (receiver === undefined) {
      if (this.ctx.missingKey === 'error') this.errorf(node, `nil data; no entry for key ${JSON.stringify(name)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(node, `nil pointer evaluating interface {}.${name}`);
    if (isMap(receiver)) {
      if ((args && args.length > 1) || final !== MISSING) this.errorf(node, `${name} is not a method but has arguments`);
      if (Object.prototype.hasOwnProperty.call(receiver, name)) {
        const v = receiver[name];
        return v === undefined ? null : v;
      }
      switch (this.ctx.missingKey) {
        case 'default': return undefined;
        case 'zero': return null;
        default: return this.errorf(node, `map has no entry for key ${JSON.stringify(name)}`);
      }
    }
    return this.errorf(node, `can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  // `cmd` is what Go names in "error calling" messages: the whole command, or the identifier when it is an argument.
  evalFunction(dot: GoValue, node: IdentifierNode, cmd: Node, args: Node[] | null, final: Final): GoValue {
    const name = node.name;
    const user = this.ctx.funcs(name);
    if (user) {
      const spec: FuncSpec = { params: Array.from({ length: user.length }, () => 'any'), variadic: null, fn: (a) => callUser(user, a) };
      return this.evalCall(dot, spec, false, node, cmd, name, args, final);
    }
    const b = builtins[name];
    if (!b) return this.errorf(node, `${JSON.stringify(name)} is not a defined function`);
    return this.evalCall(dot, b, true, node, cmd, name, args, final);
  }

  evalCall(dot: GoValue, spec: FuncSpec, isBuiltin: boolean, node: Node, cmd: Node, name: string, cmdArgs: Node[] | null, final: Final): GoValue {
    const args = cmdArgs ? cmdArgs.slice(1) : [];
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    const nparams = spec.params.length + (spec.variadic ? 1 : 0);
    const numFixed = spec.variadic ? spec.params.length : args.length;
    if (spec.variadic) {
      if (numIn < numFixed) this.errorf(node, `wrong number of args for ${name}: want at least ${numFixed} got ${args.length}`);
    } else if (numIn !== nparams) this.errorf(node, `wrong number of args for ${name}: want ${nparams} got ${numIn}`);

    if (isBuiltin && (name === 'and' || name === 'or')) {
      let v: GoValue = undefined;
      for (const a of args) {
        v = this.evalArg(dot, 'value', a);
        if (isTrue(v === null ? undefined : v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }

    const argv: GoValue[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv.push(this.evalArg(dot, spec.params[i]!, args[i]!));
    if (spec.variadic) for (; i < args.length; i++) argv.push(this.evalArg(dot, spec.variadic, args[i]!));
    if (final !== MISSING) {
      let t: ParamKind;
      if (spec.variadic) t = numIn - 1 < numFixed ? spec.params[numIn - 1]! : spec.variadic;
      else t = spec.params[spec.params.length - 1]!;
      argv.push(this.validateType(node, final, t));
    }
    try {
      return spec.fn(argv);
    } catch (e) {
      if (e instanceof FuncError) this.errorf(cmd, `error calling ${name}: ${e.message}`);
      throw e;
    }
  }

  validateType(node: Node, v: GoValue, typ: ParamKind | null): GoValue {
    if (typ === null || typ === 'value') return v;
    if (typ === 'any') return v === undefined ? null : v;
    if (v === undefined) this.errorf(node, 'invalid value; expected string');
    if (typeof v !== 'string') this.errorf(node, `wrong type for value; expected string; got ${v === null ? 'interface {}' : typeName(v)}`);
    return v;
  }

  evalArg(dot: GoValue, typ: ParamKind | null, n: Node): GoValue {
    switch (n.type) {
      case 'dot': return this.validateType(n, dot, typ);
      case 'nil':
        if (typ === 'value') return undefined;
        if (typ === 'any') return null;
        return this.errorf(n, `cannot assign nil to ${typ ?? 'interface {}'}`);
      case 'field': return this.validateType(n, this.evalFieldChain(dot, dot, n, (n as FieldNode).ident, [n], MISSING), typ);
      case 'variable': return this.validateType(n, this.evalVariableNode(dot, n, null, MISSING), typ);
      case 'pipe': return this.validateType(n, this.evalPipeline(dot, n), typ);
      case 'identifier': return this.validateType(n, this.evalFunction(dot, n, n, null, MISSING), typ);
      case 'chain': return this.validateType(n, this.evalChainNode(dot, n, null, MISSING), typ);
    }
    if (typ === 'string') {
      if (n.type === 'string') return n.text;
      return this.errorf(n, `expected string; found ${nodeString(n)}`);
    }
    switch (n.type) {
      case 'bool': return n.value;
      case 'number': return this.idealConstant(n);
      case 'string': return n.text;
    }
    return this.errorf(n, `can't handle ${nodeString(n)} for arg of type ${typ}`);
  }
}

/** Runs `tmpl` over `data`; throws TemplateExecError. */
export function executeTree(ctx: ExecContext, tmpl: ParsedTree, data: GoValue): string {
  const s = new State(ctx, tmpl, 0);
  const dot = data === null ? undefined : data;
  s.push('$', dot);
  try {
    s.walkList(dot, tmpl.root);
  } catch (e) {
    // JS runs out of stack (about 1,000 nested {{template}} calls) long
    // before Go's depth limit of 100,000; fail the way Go fails at its limit.
    if (e instanceof RangeError || (e instanceof Error && /Maximum call stack/.test(e.message))) {
      throw new TemplateExecError(tmpl.name, `template: ${tmpl.name}: exceeded maximum template depth (${MAX_DEPTH})`, s.out);
    }
    throw e;
  }
  return s.out;
}
