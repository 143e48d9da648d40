// fmt and float formatting: the rounding and exponent rules that are easy
// to get wrong, checked against values Go prints.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatFloat, formatFloatX } from '../../src/gotemplate/float.ts';
import { formatValue, sprint, sprintf, sprintln } from '../../src/gotemplate/fmt.ts';
import { GoUint8 } from '../../src/gotemplate/value.ts';

test('%v of float64 uses shortest digits and switches to e at 1e21 and below 1e-4', () => {
  assert.equal([1, 1.5, 1e6, 1e20, 1e21, 1e-4, 1e-5, 1e-7, 123456789, 0.1 + 0.2, -0].map(formatValue), ['1', '1.5', '1e+06', '1e+20', '1e+21', '0.0001', '1e-05', '1e-07', '1.23456789e+08', '0.30000000000000004', '-0']);
});

test('fixed precision rounds the exact binary value half to even', () => {
  assert.equal([formatFloat(0.5, 'f', 0), formatFloat(1.5, 'f', 0), formatFloat(2.5, 'f', 0), formatFloat(1.005, 'f', 2), formatFloat(0.125, 'f', 2), formatFloat(0.375, 'f', 2)], ['0', '2', '2', '1.00', '0.12', '0.38']);
  assert.equal([formatFloat(123456, 'e', 2), formatFloat(9.995, 'g', 3), formatFloat(1e-10, 'g', -1), formatFloat(100000, 'g', -1)], ['1.23e+05', '9.99', '1e-10', '100000']);
});

test('hex floats', () => {
  assert.equal([formatFloatX(1.5, 'x', -1), formatFloatX(42, 'X', -1), formatFloatX(0, 'x', -1), formatFloatX(1 / 3, 'x', 3)], ['0x1.8p+00', '0X1.5P+05', '0x0p+00', '0x1.555p-02']);
});

test('Sprint adds spaces only between non-strings; Sprintln always', () => {
  assert.is(sprint([1n, 2n, 'a', 'b', 3n, null]), '1 2ab3 <nil>');
  assert.is(sprintln([1n, 'a']), '1 a\n');
});

test('maps sort keys by bytes, slices print elements, nil elements as <nil>', () => {
  assert.is(formatValue({ b: 1, a: [1, 'x', null], B: { z: true } }), 'map[B:map[z:true] a:[1 x <nil>] b:1]');
});

test('printf verbs, flags and mistakes', () => {
  assert.is(sprintf('%5.2f|%-4d|%04d|%x|%X|%o|%b|%c|%q|%U', [3.14159, 7n, -7n, 255n, 255n, 8n, 5n, 65n, 'a"b', 0x1f600n]), ' 3.14|7   |-007|ff|FF|10|101|A|"a\\"b"|U+1F600');
  assert.is(sprintf('%d %s %t', ['x', 1, 2n]), '%!d(string=x) %!s(float64=1) %!t(int=2)');
  assert.is(sprintf('%d %d', [1n]), '1 %!d(MISSING)');
  assert.is(sprintf('%d', [1n, 'x', null]), '1%!(EXTRA string=x, <nil>)');
  assert.is(sprintf('%[2]s %[1]s %', ['a', 'b']), 'b a %!(NOVERB)');
  assert.is(sprintf('%!', ['a']), '%!!(string=a)');
  assert.is(sprintf('%*d|%.*f', [4n, 1n, 1n, 2.25]), '   1|2.2');
  assert.is(sprintf('%d', [new GoUint8(200)]), '200');
  assert.is(sprintf('%v %T %T', [[1, 'a'], [1], { a: 1 }]), '[1 a] []interface {} map[string]interface {}');
});

test.run();
