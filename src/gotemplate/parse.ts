// Parser for Go text/template: tokens to trees, one per template name, with
// Go's rules for defines, blocks, variable scope, function names known at
// parse time, break/continue only inside range, and Go-shaped messages.
import type {
  ActionNode, CommandNode, ListNode, Node, PipeNode, TemplateNode, VariableNode, IfNode, RangeNode, WithNode, FieldNode,
} from './ast.ts';
import { nodeString } from './ast.ts';
import { TemplateParseError } from './errors.ts';
import { Item, lex, type Token } from './lex.ts';
import { newNumber } from './number.ts';
import { unquote } from './unquote.ts';

export interface ParseOptions {
  /** Names callable in the template (builtins plus registered functions). */
  hasFunction: (name: string) => boolean;
  /** Accept `{{else with}}` (Go 1.23+); Go 1.19, the oracle, rejects it. */
  elseWith: boolean;
}

export interface ParsedTree { name: string; parseName: string; text: string; root: ListNode }

type EndNode = { type: 'end'; pos: number };
type ElseNode = { type: 'else'; pos: number; line: number };
type Parsed = Node | EndNode | ElseNode;

const KEYWORD_NAMES = new Set([Item.Block, Item.Break, Item.Continue, Item.Dot, Item.Define, Item.Else, Item.End, Item.If, Item.Nil, Item.Range, Item.Template, Item.With]);

/** Go's item.String(), used in "unexpected X in Y" messages. */
function tokenString(t: Token): string {
  if (t.typ === Item.EOF) return 'EOF';
  if (t.typ === Item.Error) return t.val;
  if (KEYWORD_NAMES.has(t.typ)) return `<${t.val}>`;
  if (t.val.length > 10) return `${JSON.stringify(t.val.slice(0, 10))}...`;
  return JSON.stringify(t.val);
}

export function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case 'list': return n.nodes.every(isEmptyTree);
    case 'text': return /^\s*$/.test(n.text);
    default: return false;
  }
}

/** Parses `text` named `name`; returns every tree it defines (the main one under `name`). */
export function parse(name: string, text: string, opts: ParseOptions): Map<string, ParsedTree> {
  // Go 1.19 asks for a "break"/"continue" function before its function
  // list is set, so the keywords always win; we do the same.
  const tokens = lex(text, true, true);
  const treeSet = new Map<string, ParsedTree>();
  let i = 0;
  let lastLine = 1;
  let maxFetched = -1;
  let vars: string[] = ['$'];
  let rangeDepth = 0;
  let actionLine = 0;

  const fail = (msg: string): never => {
    throw new TemplateParseError(`template: ${name}:${lastLine}: ${msg}`);
  };
  const nextTok = (): Token => {
    const t = tokens[i] ?? tokens[tokens.length - 1]!;
    // Go reports the line of the latest token the lexer produced.
    if (i >= maxFetched) {
      maxFetched = i;
      lastLine = t.line;
    }
    i++;
    return t;
  };
  const backup = (): void => {
    i--;
  };
  const peek = (): Token => {
    const t = nextTok();
    backup();
    return t;
  };
  const nextNonSpace = (): Token => {
    let t = nextTok();
    while (t.typ === Item.Space) t = nextTok();
    return t;
  };
  const peekNonSpace = (): Token => {
    const t = nextNonSpace();
    backup();
    return t;
  };
  const unexpected = (t: Token, context: string): never => {
    if (t.typ === Item.Error) {
      let extra = '';
      if (actionLine !== 0 && actionLine !== t.line) {
        extra = ` in action started at ${name}:${actionLine}`;
        if (t.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      return fail(`${t.val}${extra}`);
    }
    return fail(`unexpected ${tokenString(t)} in ${context}`);
  };
  const expect = (typ: Item, context: string): Token => {
    const t = nextNonSpace();
    if (t.typ !== typ) unexpected(t, context);
    return t;
  };
  const unquoteOrFail = (q: string): string => {
    const s = unquote(q);
    return s === null ? fail('invalid syntax') : s;
  };
  const add = (tree: ParsedTree): void => {
    const old = treeSet.get(tree.name);
    if (!old || isEmptyTree(old.root)) {
      treeSet.set(tree.name, tree);
      return;
    }
    if (!isEmptyTree(tree.root)) fail(`template: multiple definition of template ${JSON.stringify(tree.name)}`);
  };

  const itemList = (): [ListNode, Parsed] => {
    const list: ListNode = { type: 'list', pos: peekNonSpace().pos, nodes: [] };
    while (peekNonSpace().typ !== Item.EOF) {
      const n = textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    return fail('unexpected EOF');
  };

  const textOrAction = (): Parsed => {
    const t = nextNonSpace();
    if (t.typ === Item.Text) return { type: 'text', pos: t.pos, text: t.val };
    if (t.typ === Item.LeftDelim) {
      actionLine = t.line;
      try {
        return action();
      } finally {
        actionLine = 0;
      }
    }
    return unexpected(t, 'input');
  };

  const action = (): Parsed => {
    const t = nextNonSpace();
    switch (t.typ) {
      case Item.Block: return blockControl();
      case Item.Break: case Item.Continue: {
        const word = t.typ === Item.Break ? 'break' : 'continue';
        const tok = nextNonSpace();
        if (tok.typ !== Item.RightDelim) unexpected(tok, `{{${word}}}`);
        if (rangeDepth === 0) fail(`{{${word}}} outside {{range}}`);
        return { type: word, pos: t.pos };
      }
      case Item.Else: {
        const p = peekNonSpace();
        if (p.typ === Item.If || (opts.elseWith && p.typ === Item.With)) return { type: 'else', pos: p.pos, line: p.line };
        const tok = expect(Item.RightDelim, 'else');
        return { type: 'else', pos: tok.pos, line: tok.line };
      }
      case Item.End: return { type: 'end', pos: expect(Item.RightDelim, 'end').pos };
      case Item.If: return control('if');
      case Item.Range: return control('range');
      case Item.With: return control('with');
      case Item.Template: return templateControl();
    }
    backup();
    const tok = peek();
    const a: ActionNode = { type: 'action', pos: tok.pos, pipe: pipeline('command', Item.RightDelim) };
    return a;
  };

  const control = (kind: 'if' | 'range' | 'with'): IfNode | RangeNode | WithNode => {
    const mark = vars.length;
    try {
      const pipe = pipeline(kind, Item.RightDelim);
      if (kind === 'range') rangeDepth++;
      const [list, next0] = itemList();
      if (kind === 'range') rangeDepth--;
      let elseList: ListNode | null = null;
      if (next0.type === 'else') {
        const chained = kind === 'if' ? Item.If : kind === 'with' && opts.elseWith ? Item.With : null;
        if (chained !== null && peek().typ === chained) {
          nextTok();
          elseList = { type: 'list', pos: next0.pos, nodes: [control(kind as 'if' | 'with')] };
        } else {
          const [el, next1] = itemList();
          if (next1.type !== 'end') fail(`expected end; found ${parsedString(next1)}`);
          elseList = el;
        }
      }
      return { type: kind, pos: pipe.pos, pipe, list, elseList } as IfNode | RangeNode | WithNode;
    } finally {
      vars = vars.slice(0, mark);
    }
  };

  const templateName = (t: Token, context: string): string => {
    if (t.typ === Item.String || t.typ === Item.RawString) return unquoteOrFail(t.val);
    return unexpected(t, context);
  };

  const templateControl = (): TemplateNode => {
    const t = nextNonSpace();
    const tname = templateName(t, 'template clause');
    let pipe: PipeNode | null = null;
    if (nextNonSpace().typ !== Item.RightDelim) {
      backup();
      pipe = pipeline('template clause', Item.RightDelim);
    }
    return { type: 'template', pos: t.pos, name: tname, pipe };
  };

  const blockControl = (): TemplateNode => {
    const context = 'block clause';
    const t = nextNonSpace();
    const bname = templateName(t, context);
    const pipe = pipeline(context, Item.RightDelim);
    const saved = { vars, rangeDepth };
    vars = ['$'];
    rangeDepth = 0;
    const [root, end] = itemList();
    if (end.type !== 'end') fail(`unexpected ${parsedString(end)} in ${context}`);
    add({ name: bname, parseName: name, text, root });
    ({ vars, rangeDepth } = saved);
    return { type: 'template', pos: t.pos, name: bname, pipe };
  };

  const pipeline = (context: string, end: Item): PipeNode => {
    const pipe: PipeNode = { type: 'pipe', pos: peekNonSpace().pos, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      const v = peekNonSpace();
      if (v.typ !== Item.Variable) break;
      const save = i;
      nextNonSpace();
      const next = peekNonSpace();
      const declare = (): void => {
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: v.val.split('.') });
        vars.push(v.val);
      };
      if (next.typ === Item.Assign || next.typ === Item.Declare) {
        pipe.isAssign = next.typ === Item.Assign;
        nextNonSpace();
        declare();
      } else if (next.typ === Item.Char && next.val === ',') {
        nextNonSpace();
        declare();
        if (context === 'range' && pipe.decl.length < 2) {
          const p = peekNonSpace().typ;
          if (p === Item.Variable || p === Item.RightDelim || p === Item.RightParen) continue decls;
          fail('range can only initialize variables');
        }
        fail(`too many declarations in ${context}`);
      } else {
        i = save;
      }
      break;
    }
    for (;;) {
      const t = nextNonSpace();
      if (t.typ === end) {
        checkPipeline(pipe, context);
        return pipe;
      }
      switch (t.typ) {
        case Item.Bool: case Item.CharConstant: case Item.Complex: case Item.Dot: case Item.Field: case Item.Identifier:
        case Item.Number: case Item.Nil: case Item.RawString: case Item.String: case Item.Variable: case Item.LeftParen:
          backup();
          pipe.cmds.push(command());
          break;
        default:
          unexpected(t, context);
      }
    }
  };

  const checkPipeline = (pipe: PipeNode, context: string): void => {
    if (pipe.cmds.length === 0) fail(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, k) => {
      const t = c.args[0]?.type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') fail(`non executable command in pipeline stage ${k + 2}`);
    });
  };

  const command = (): CommandNode => {
    const cmd: CommandNode = { type: 'command', pos: peekNonSpace().pos, args: [] };
    for (;;) {
      peekNonSpace();
      const op = operand();
      if (op) cmd.args.push(op);
      const t = nextTok();
      if (t.typ === Item.Space) continue;
      if (t.typ === Item.RightDelim || t.typ === Item.RightParen) backup();
      else if (t.typ !== Item.Pipe) unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) fail('empty command');
    return cmd;
  };

  const operand = (): Node | null => {
    let node = term();
    if (!node) return null;
    if (peek().typ === Item.Field) {
      const pos = peek().pos;
      const fields: string[] = [];
      while (peek().typ === Item.Field) fields.push(...nextTok().val.slice(1).split('.'));
      switch (node.type) {
        case 'field': node = { type: 'field', pos, ident: [...node.ident, ...fields] } satisfies FieldNode; break;
        case 'variable': node = { type: 'variable', pos, ident: [...node.ident, ...fields] } satisfies VariableNode; break;
        case 'bool': case 'string': case 'number': case 'nil': case 'dot':
          fail(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
          break;
        default:
          node = { type: 'chain', pos, node, field: fields };
      }
    }
    return node;
  };

  const term = (): Node | null => {
    const t = nextNonSpace();
    switch (t.typ) {
      case Item.Identifier:
        if (!opts.hasFunction(t.val)) fail(`function ${JSON.stringify(t.val)} not defined`);
        return { type: 'identifier', pos: t.pos, name: t.val };
      case Item.Dot: return { type: 'dot', pos: t.pos };
      case Item.Nil: return { type: 'nil', pos: t.pos };
      case Item.Variable: {
        const ident = t.val.split('.');
        if (!vars.includes(ident[0]!)) fail(`undefined variable ${JSON.stringify(ident[0])}`);
        return { type: 'variable', pos: t.pos, ident };
      }
      case Item.Field: return { type: 'field', pos: t.pos, ident: t.val.slice(1).split('.') };
      case Item.Bool: return { type: 'bool', pos: t.pos, value: t.val === 'true' };
      case Item.CharConstant: case Item.Complex: case Item.Number: {
        const n = newNumber(t.pos, t.val, t.typ === Item.CharConstant ? 'char' : t.typ === Item.Complex ? 'complex' : 'number');
        return typeof n === 'string' ? fail(n) : n;
      }
      case Item.LeftParen: return pipeline('parenthesized pipeline', Item.RightParen);
      case Item.String: case Item.RawString:
        return { type: 'string', pos: t.pos, quoted: t.val, text: unquoteOrFail(t.val) };
    }
    backup();
    return null;
  };

  const parsedString = (n: Parsed): string => (n.type === 'end' ? '{{end}}' : n.type === 'else' ? '{{else}}' : nodeString(n));

  // Top level: like Tree.parse, with {{define}} handled here.
  {
    const root: ListNode = { type: 'list', pos: peek().pos, nodes: [] };
    while (peek().typ !== Item.EOF) {
      if (peek().typ === Item.LeftDelim) {
        const save = i;
        nextTok();
        if (nextNonSpace().typ === Item.Define) {
          const context = 'define clause';
          const t = nextNonSpace();
          if (t.typ !== Item.String && t.typ !== Item.RawString) unexpected(t, context);
          const dname = unquoteOrFail(t.val);
          expect(Item.RightDelim, context);
          const saved = vars;
          vars = ['$'];
          const [droot, end] = itemList();
          if (end.type !== 'end') fail(`unexpected ${parsedString(end)} in ${context}`);
          add({ name: dname, parseName: name, text, root: droot });
          vars = saved;
          continue;
        }
        i = save;
      }
      const n = textOrAction();
      if (n.type === 'end' || n.type === 'else') fail(`unexpected ${parsedString(n)}`);
      else root.nodes.push(n);
    }
    add({ name, parseName: name, text, root });
  }
  return treeSet;
}
