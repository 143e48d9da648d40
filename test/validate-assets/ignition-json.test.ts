// Raw Ignition JSON (spec 2.x and 3.x), told apart from a Container Linux
// Config by `ignition.version`; types are encoding/json's, not yaml.v2's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateIgnition } from '../../src/validate/assets/index.ts';

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

const unit = { name: 'checkpoint.service', contents: '[Service]\nExecStart=/usr/bin/curl http://10.10.10.5:24602/checkpoint\n' };
const key = 'ssh-rsa AAAAB3NzaC1yc2E core@vagrant';

test('a valid spec 2.2 config has no problems', () => {
  const text = json({
    ignition: { version: '2.2.0', config: {}, timeouts: { httpTotal: 60 } },
    storage: { files: [{ filesystem: 'root', path: '/etc/hostname', mode: 420, contents: { source: 'data:,host1' } }] },
    systemd: { units: [{ ...unit, enable: true }, { name: 'etcd2.service', enabled: true, dropins: [{ name: '40-x.conf', contents: '' }] }] },
    networkd: { units: [{ name: '10-static.network', contents: '[Match]\n' }] },
    passwd: { users: [{ name: 'core', passwordHash: '$1$xyz', sshAuthorizedKeys: [key] }] },
  });
  assert.equal(validateIgnition(text), []);
});

test('a valid spec 3.3 config has no problems', () => {
  const text = json({
    ignition: { version: '3.3.0' },
    storage: {
      files: [{ path: '/etc/hostname', mode: 420, overwrite: true, contents: { source: 'data:,host1' } }],
      links: [{ path: '/etc/localtime', target: '/usr/share/zoneinfo/UTC' }],
    },
    systemd: { units: [{ ...unit, enabled: true }] },
    passwd: { users: [{ name: 'core', sshAuthorizedKeys: [key] }] },
    kernelArguments: { shouldExist: ['console=ttyS0'] },
  });
  assert.equal(validateIgnition(text), []);
});

test('JSON that does not parse is an error on the line of the mistake', () => {
  const text = '{\n  "ignition": {"version": "3.3.0"},\n  "systemd": {"units": [{"name": "a.service"},]}\n}\n';
  assert.equal(validateIgnition(text), [
    { line: 3, level: 'error', message: "ignition JSON does not parse: a trailing comma before ']'" },
  ]);
});

test('JSON cut short is an error on its last line', () => {
  const text = '{\n  "ignition": {"version": "2.2.0"},\n  "systemd": {\n';
  assert.equal(validateIgnition(text), [
    { line: 3, level: 'error', message: "ignition JSON does not parse: expected a quoted key, found the end of the text" },
  ]);
});

test('JSON types are strict: a quoted boolean, a number for a string, a fractional mode', () => {
  const text = json({
    ignition: { version: '2.1.0' },
    systemd: { units: [{ name: 'a.service', enable: 'true' }, { name: 5 }] },
    storage: { files: [{ filesystem: 'root', path: '/x', mode: 420.5 }] },
  });
  assert.equal(validateIgnition(text), [
    { line: 9, level: 'error', message: 'systemd.units[0].enable must be a boolean, found the string "true"' },
    { line: 12, level: 'error', message: 'systemd.units[1].name must be a string, found the number 5' },
    { line: 21, level: 'error', message: 'storage.files[0].mode must be an integer, found the number 420.5' },
  ]);
});

test('spec 3 has no `enable` (a warning), no networkd (a warning), and needs filesystems by device', () => {
  const text = json({
    ignition: { version: '3.0.0' },
    systemd: { units: [{ name: 'a.service', enable: true }] },
    networkd: { units: [] },
    storage: { filesystems: [{ format: 'ext4' }] },
  });
  assert.equal(validateIgnition(text), [
    { line: 9, level: 'warning', message: 'unknown key "enable" in systemd.units[0]' },
    { line: 13, level: 'warning', message: 'unknown top-level key "networkd"' },
    { line: 18, level: 'error', message: 'storage.filesystems[0] is missing required key "device"' },
  ]);
});

test('systemd.units as an object and a unit without name are errors in JSON too', () => {
  const text = json({ ignition: { version: '2.3.0' }, systemd: { units: { name: 'a.service' } }, passwd: { users: [{ sshAuthorizedKeys: [key] }] } });
  assert.equal(validateIgnition(text), [
    { line: 6, level: 'error', message: 'systemd.units must be a list, found a mapping' },
    { line: 12, level: 'error', message: 'passwd.users[0] is missing required key "name"' },
  ]);
});

test('an unsupported or malformed ignition.version is an error, and nothing else is checked', () => {
  const expected = (line: number, shown: string) => [
    { line, level: 'error', message: `ignition.version ${shown} is not a supported Ignition spec (2.x or 3.x, as "2.2.0" or "3.4.0")` },
  ];
  assert.equal(validateIgnition(json({ ignition: { version: '4.0.0' }, systemd: { units: {} } })), expected(3, '"4.0.0"'));
  assert.equal(validateIgnition(json({ ignition: { version: '1.0.0' } })), expected(3, '"1.0.0"'));
  assert.equal(validateIgnition(json({ ignition: { version: 3 } })), expected(3, '3'));
  assert.equal(validateIgnition(json({ ignition: { version: 'latest' } })), expected(3, '"latest"'));
});

test('a JSON object without ignition.version is read as a Container Linux Config', () => {
  assert.equal(validateIgnition(json({ systemd: { units: [{ name: 'a.service', enable: true }] } })), []);
  assert.equal(validateIgnition(json({ ignitionVersion: 1, systemd: { units: [] } })), [
    { line: 2, level: 'warning', message: 'unknown top-level key "ignitionVersion"' },
  ]);
});

test('a Container Linux Config in YAML flow style is not mistaken for broken JSON', () => {
  assert.equal(validateIgnition('{systemd: {units: [{name: a.service, enable: yes}]}}\n'), []);
});

test('each kind of JSON mistake is named, on its line', () => {
  const cases: [string, number, string][] = [
    ['{"ignition": {"version": "2.2.0"}\n "systemd": {}}', 2, "expected ',' or '}' after a value, found '\"'"],
    ['{"ignition": {"version" "2.2.0"}}', 1, "expected ':' after a key, found '\"'"],
    ['{\n  "ignition": {"version": "2.2.0"},\n  systemd: {}\n}', 3, "expected a quoted key, found 's'"],
    ['{"ignition": {"version": "2.2.0"}, "passwd": {"users": [{"name": "co\nre"}]}}', 1, 'a control character (such as a newline) inside a string'],
    ['{"ignition": {"version": "2.2.0"}, "storage": {"files": [{"path": "/x", "mode": 0644}]}}', 1, "expected ',' or '}' after a value, found '6'"],
    ['{"ignition": {"version": "2.2.0"}}\n{"ignition": {"version": "2.2.0"}}', 2, 'unexpected text after the JSON value'],
    ['{"ignition": {"version": "2.2.0"}, "x": \'y\'}', 1, "expected a value, found '''"],
  ];
  for (const [text, line, reason] of cases) {
    assert.equal(validateIgnition(text), [{ line, level: 'error', message: `ignition JSON does not parse: ${reason}` }], text);
  }
});

test.run();
