import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nactName } from '../../src/supervisors/nact.ts';

// nact's own check (lib/paths.js), restated: a name it would refuse fails this.
const NACT_VALID = /^[a-z0-9-$_.+!*'(),]+$/i;

test('names nact accepts pass through unchanged', () => {
  for (const id of ['agent-sup', 'dhcp', 'boot_1', "a.b+c!d*e'f(g)h,i"]) assert.is(nactName(id), id);
});

test('a MAC-named child id is encoded into a name nact accepts', () => {
  assert.is(nactName('boot-52:54:00:00:10:01'), 'boot-52$3a54$3a00$3a00$3a10$3a01');
});

test('$ itself is escaped, so distinct ids stay distinct', () => {
  assert.is(nactName('a$b'), 'a$24b');
  assert.is.not(nactName('a:b'), nactName('a$3ab'));
});

test('non-ASCII and spaces become UTF-8 bytes; every result is valid for nact', () => {
  assert.is(nactName('é x/y'), '$c3$a9$20x$2fy');
  for (const id of ['é x/y', 'boot-52:54:00:00:10:01', 'a$b', '🙂', '\u0000']) assert.ok(NACT_VALID.test(nactName(id)), id);
});

test('an empty id is refused', () => {
  assert.throws(() => nactName(''), /may not be empty/);
});

test.run();
