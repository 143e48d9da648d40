// The engine's API: compile once, render many times with per-render
// function values; missingkey per set or per render; error classes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { render, TemplateExecError, TemplateParseError, TemplateSet } from '../../src/gotemplate/index.ts';

test('a set compiled once renders per host with that host\'s Checkpoint', () => {
  const set = new TemplateSet({ funcs: { Checkpoint: () => '' } });
  set.parse('snip', '{{define "u"}}unit {{.name}}{{end}}');
  set.parse('a.yml', '{{template "u" .host}} -> {{Checkpoint}}');
  const out = ['h1', 'h2'].map((h) => set.execute('a.yml', { host: { name: h } }, { funcs: { Checkpoint: () => `http://agent/cp/${h}` } }));
  assert.equal(out, ['unit h1 -> http://agent/cp/h1', 'unit h2 -> http://agent/cp/h2']);
  assert.is(set.execute('a.yml', { host: { name: 'h3' } }), 'unit h3 -> ');
});

test('an unknown function is a parse error; execute-time funcs cannot add names', () => {
  const set = new TemplateSet();
  assert.throws(() => set.parse('t', '{{Checkpoint}}'), (e: unknown) => e instanceof TemplateParseError && e.message === 'template: t:1: function "Checkpoint" not defined');
});

test('functions: arity from length, results and throws', () => {
  const set = new TemplateSet({ funcs: { add: (a, b) => Number(a) + Number(b), boom: () => { throw new Error('no'); } } });
  set.parse('t', '{{add 1 2}}').parse('u', '{{boom}}').parse('v', '{{add 1}}');
  assert.is(set.execute('t', {}), '3');
  assert.throws(() => set.execute('u', {}), (e: unknown) => e instanceof TemplateExecError && e.message === 'template: u:1:2: executing "u" at <boom>: error calling boom: no');
  assert.throws(() => set.execute('v', {}), /wrong number of args for add: want 2 got 1/);
});

test('missingKey per set and per execution', () => {
  const set = new TemplateSet({ missingKey: 'error' }).parse('t', '{{.a}}');
  assert.throws(() => set.execute('t', {}), /map has no entry for key "a"/);
  assert.is(set.execute('t', {}, { missingKey: 'default' }), '<no value>');
  assert.is(render('{{.a.b}}', { a: {} }, { missingKey: 'zero' }), '<no value>');
});

test('exec errors name template, line, column and action, and keep the partial output', () => {
  const set = new TemplateSet().parse('etcd.yml', 'a: 1\nb: {{.x}}\nc: {{index .l 3}}\n');
  try {
    set.execute('etcd.yml', { x: 'y', l: [] });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, TemplateExecError);
    assert.is((e as TemplateExecError).message, 'template: etcd.yml:3:5: executing "etcd.yml" at <index .l 3>: error calling index: index out of range: 3');
    assert.is((e as TemplateExecError).partial, 'a: 1\nb: y\nc: ');
  }
});

test('executing an unknown name fails cleanly', () => {
  assert.throws(() => new TemplateSet().execute('nope', {}), (e: unknown) => e instanceof TemplateExecError && /"nope" is an incomplete or empty template/.test(e.message));
});

test('YAML-shaped data: JS numbers are float64, maps iterate sorted', () => {
  assert.is(render('{{range $k, $v := .}}{{$k}}={{$v}} {{end}}{{printf "%d" 1}}', { b: 2, a: 1.5, c: [1, 2] }), 'a=1.5 b=2 c=[1 2] 1');
});

test('else with is available as an option', () => {
  assert.is(render('{{with .a}}A{{else with .b}}B{{.}}{{else}}C{{end}}', { b: 'x' }, { elseWith: true }), 'Bx');
});

test.run();
