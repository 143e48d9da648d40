// Lexer: the item stream for the tricky spots (trim markers, comments,
// numbers, fields vs dots, errors as the last item), compared whole.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Item, lex } from '../../src/gotemplate/lex.ts';

const items = (s: string): [string, string, number][] => lex(s).map((t) => [Item[t.typ]!, t.val, t.line]);

test('text, action and spaces', () => {
  assert.equal(items('a{{ .x }}b'), [
    ['Text', 'a', 1], ['LeftDelim', '{{', 1], ['Space', ' ', 1], ['Field', '.x', 1], ['Space', ' ', 1], ['RightDelim', '}}', 1], ['Text', 'b', 1], ['EOF', '', 1],
  ]);
});

test('trim markers eat surrounding whitespace including newlines', () => {
  assert.equal(items('a \n\t{{- .x -}}\n b'), [
    ['Text', 'a', 1], ['LeftDelim', '{{', 2], ['Field', '.x', 2], ['RightDelim', '}}', 2], ['Text', 'b', 3], ['EOF', '', 3],
  ]);
});

test('a dash without a space is a number, not a trim marker', () => {
  assert.equal(items('{{-3}}'), [['LeftDelim', '{{', 1], ['Number', '-3', 1], ['RightDelim', '}}', 1], ['EOF', '', 1]]);
});

test('comments vanish, trimmed comments take the whitespace too', () => {
  assert.equal(items('a {{- /* x\ny */ -}} b'), [['Text', 'a', 1], ['Text', 'b', 2], ['EOF', '', 2]]);
});

test('field chains lex as separate fields; $ and . alone', () => {
  assert.equal(items('{{$.a.b $x .}}').map((i) => `${i[0]}:${i[1]}`), [
    'LeftDelim:{{', 'Variable:$', 'Field:.a', 'Field:.b', 'Space: ', 'Variable:$x', 'Space: ', 'Dot:.', 'RightDelim:}}', 'EOF:',
  ]);
});

test('numbers of every shape, and a leading dot before a digit is a number', () => {
  assert.equal(items('{{0x1F 1_000 .5 1e-3 0x1p4 1i 1+2i}}').filter((i) => i[0] !== 'Space').map((i) => `${i[0]}:${i[1]}`), [
    'LeftDelim:{{', 'Number:0x1F', 'Number:1_000', 'Number:.5', 'Number:1e-3', 'Number:0x1p4', 'Number:1i', 'Complex:1+2i', 'RightDelim:}}', 'EOF:',
  ]);
});

test('keywords, bools, identifiers and chars', () => {
  assert.equal(items("{{if true}}{{else}}{{end}}{{range break continue nil 'x' foo}}").filter((i) => i[0] !== 'Space' && !i[0].endsWith('Delim')).map((i) => i[0]), [
    'If', 'Bool', 'Else', 'End', 'Range', 'Break', 'Continue', 'Nil', 'CharConstant', 'Identifier', 'EOF',
  ]);
});

test('errors end the stream with Go messages', () => {
  assert.equal(lex('{{.x').at(-1)!.val, 'unclosed action');
  assert.equal(lex('{{"abc}}').at(-1)!.val, 'unterminated quoted string');
  assert.equal(lex('{{/* x').at(-1)!.val, 'unclosed comment');
  assert.equal(lex('{{/* x */ 1}}').at(-1)!.val, 'comment ends before closing delimiter');
  assert.equal(lex('{{(1}}').at(-1)!.val, 'unclosed left paren');
  assert.equal(lex('{{3k}}').at(-1)!.val, 'bad number syntax: "3k"');
  assert.equal(lex('{{.x#}}').at(-1)!.val, "bad character U+0023 '#'");
  assert.equal(lex('{{\u0001}}').at(-1)!.val, 'unrecognized character in action: U+0001');
});

test('line numbers count newlines inside raw strings and actions', () => {
  const t = lex('{{`a\nb`}}\n{{.x}}');
  assert.equal(t.filter((i) => i.typ === Item.Field).map((i) => i.line), [3]);
});

test.run();
