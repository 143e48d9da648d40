// Parser: tree shapes and Go's parse-time errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeString } from '../../src/gotemplate/ast.ts';
import { parse } from '../../src/gotemplate/parse.ts';
import { TemplateParseError } from '../../src/gotemplate/errors.ts';

const opts = { hasFunction: (f: string) => ['print', 'printf', 'len', 'index', 'eq'].includes(f), elseWith: false };
const p = (text: string) => parse('t', text, opts);
const fails = (text: string, msg: string) => {
  try {
    p(text);
  } catch (e) {
    assert.instance(e, TemplateParseError);
    assert.is((e as Error).message, msg);
    return;
  }
  assert.unreachable(`parsed: ${text}`);
};

test('field chains merge; chains on parens and functions stay chains', () => {
  const root = p('{{$.a.b}}{{(index . "x").y.z}}{{.a.b | printf "%v"}}').get('t')!.root;
  assert.equal(root.nodes.map(nodeString), ['{{$.a.b}}', '{{(index . "x").y.z}}', '{{.a.b | printf "%v"}}']);
  const first = root.nodes[0]!;
  assert.equal(first.type === 'action' ? first.pipe.cmds[0]!.args[0] : null, { type: 'variable', pos: 3, ident: ['$', 'a', 'b'] });
});

test('defines and blocks become their own trees; empty main tree still exists', () => {
  const trees = p('{{define "a"}}A{{end}} {{block "b" .}}B{{end}}');
  assert.equal([...trees.keys()].sort(), ['a', 'b', 't']);
  assert.is(nodeString(trees.get('t')!.root), '" "{{template "b" .}}');
});

test('else if nests an if in the else list', () => {
  const root = p('{{if .a}}1{{else if .b}}2{{else}}3{{end}}').get('t')!.root;
  assert.is(nodeString(root), '{{if .a}}"1"{{else}}{{if .b}}"2"{{else}}"3"{{end}}{{end}}');
});

test('else with only when enabled', () => {
  fails('{{with .a}}1{{else with .b}}2{{end}}', 'template: t:1: unexpected <with> in else');
  const trees = parse('t', '{{with .a}}1{{else with .b}}2{{end}}', { ...opts, elseWith: true });
  assert.is(nodeString(trees.get('t')!.root), '{{with .a}}"1"{{else}}{{with .b}}"2"{{end}}{{end}}');
});

test("Go's parse errors", () => {
  fails('{{nope}}', 'template: t:1: function "nope" not defined');
  fails('{{$x}}', 'template: t:1: undefined variable "$x"');
  fails('{{if .a}}', 'template: t:1: unexpected EOF');
  fails('a\n{{end}}', 'template: t:2: unexpected {{end}}');
  fails('{{.a | "x"}}', 'template: t:1: non executable command in pipeline stage 2');
  fails('{{range $a, $b, $c := .}}{{end}}', 'template: t:1: too many declarations in range');
  fails('{{break}}', 'template: t:1: {{break}} outside {{range}}');
  fails('{{define "a"}}1{{end}}{{define "a"}}2{{end}}', 'template: t:1: template: multiple definition of template "a"');
  fails('{{"x".y}}', 'template: t:1: unexpected . after term "\\"x\\""');
  fails('{{99999999999999999999}}', 'template: t:1: integer overflow: "99999999999999999999"');
  fails('{{print\n\n(1}}', 'template: t:3: unclosed left paren in action started at t:1');
  fails('{{.a\n\n', 'template: t:3: unclosed action started at t:1');
});

test('variables: scope ends with the control; range declares two', () => {
  p('{{range $i, $e := .}}{{$i}}{{$e}}{{end}}');
  fails('{{if true}}{{$x := 1}}{{end}}{{$x}}', 'template: t:1: undefined variable "$x"');
  fails('{{define "d"}}{{$y}}{{end}}', 'template: t:1: undefined variable "$y"');
});

test('string and number literals decode as Go does', () => {
  const root = p('{{print "a\\x41\\u00e9\\101" `r\\n` 0x_1F 1e3 \'\\n\'}}').get('t')!.root;
  const cmd = root.nodes[0]!.type === 'action' ? root.nodes[0]!.pipe.cmds[0]! : null;
  const lit = cmd!.args.slice(1).map((a) => (a.type === 'string' ? a.text : a.type === 'number' ? [a.isInt, a.int, a.isFloat, a.float] : null));
  assert.equal(lit, ['aAéA', 'r\\n', [true, 31n, true, 31], [true, 1000n, true, 1000], [true, 10n, true, 10]]);
});

test.run();
