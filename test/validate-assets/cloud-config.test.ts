// cloud-config assets, for coreos-cloudinit and cloud-init alike: each
// broken document is checked for its whole problem list.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateCloudConfig } from '../../src/validate/assets/index.ts';

const doc = (...lines: string[]): string => `${lines.join('\n')}\n`;
const noHeader = { line: 1, level: 'error', message: 'the first line must be "#cloud-config"; without it the file is not read as a cloud-config' };

test('without the #cloud-config header: an error, and the rest is still checked', () => {
  assert.equal(validateCloudConfig(doc('hostname: node1', 'users: core')), [noHeader]);
  assert.equal(validateCloudConfig(doc('hostname: node1', 'write_files:', '  - content: x')), [
    noHeader,
    { line: 3, level: 'error', message: 'write_files[0] is missing required key "path"' },
  ]);
});

test('the header must be the first line, exactly', () => {
  assert.equal(validateCloudConfig(doc('', '#cloud-config', 'hostname: a')), [noHeader]);
  assert.equal(validateCloudConfig(doc('#!/bin/bash', 'echo hi')), [
    noHeader,
    { line: 2, level: 'error', message: 'the document must be a mapping, found the string "echo hi"' },
  ]);
  assert.equal(validateCloudConfig(doc('#cloud-config  ', 'hostname: a')), [
    { line: 1, level: 'warning', message: 'the first line is "#cloud-config  ": coreos-cloudinit wants exactly "#cloud-config"' },
  ]);
  assert.equal(validateCloudConfig('#cloud-config\r\nhostname: a\r\n'), []);
});

test('a header alone is a valid, empty cloud-config', () => {
  assert.equal(validateCloudConfig(doc('#cloud-config')), []);
  assert.equal(validateCloudConfig('#cloud-config'), []);
});

test('a cloud-config that is a list is an error', () => {
  assert.equal(validateCloudConfig(doc('#cloud-config', '- hostname: a', '- users: []')), [
    { line: 2, level: 'error', message: 'the document must be a mapping, found a list' },
  ]);
});

test('a YAML syntax error is an error on its line', () => {
  assert.equal(validateCloudConfig(doc('#cloud-config', 'coreos:', '  units:', '    - name: a.service', '   command: start')), [
    { line: 5, level: 'error', message: 'YAML syntax error: All mapping items must start at the same column' },
  ]);
});

test('a write_files entry without path is an error', () => {
  const text = doc('#cloud-config', 'write_files:', '  - path: /etc/a', '    content: a', '  - owner: root', '    content: b');
  assert.equal(validateCloudConfig(text), [{ line: 5, level: 'error', message: 'write_files[1] is missing required key "path"' }]);
});

test('an unknown top-level key is a warning; a deprecated spelling too', () => {
  const text = doc('#cloud-config', 'hostname: a', 'coreos_units: []', 'ca-certs:', '  trusted: [abc]');
  assert.equal(validateCloudConfig(text), [
    { line: 3, level: 'warning', message: 'unknown top-level key "coreos_units"' },
    { line: 4, level: 'warning', message: '"ca-certs" is a deprecated spelling of "ca_certs"' },
  ]);
});

test('YAML 1.1 booleans in string fields are fine: proxy: on, reboot-strategy: off', () => {
  const text = doc(
    '#cloud-config',
    'coreos:',
    '  etcd2:',
    '    proxy: on',
    '    listen-client-urls: http://0.0.0.0:2379',
    '  update:',
    '    reboot-strategy: off',
    '  fleet:',
    '    metadata: "role=etcd-proxy,vlan=0"',
    'write_files:',
    '  - path: /etc/a',
    '    permissions: 0644',
    'manage_etc_hosts: localhost',
  );
  assert.equal(validateCloudConfig(text), []);
});

test('coreos section: units need a name, a known command, boolean switches, drop-ins with names', () => {
  const text = doc(
    '#cloud-config',
    'coreos:',
    '  units:',
    '    - command: start',
    '    - name: b.service',
    '      command: launch',
    '      enable: please',
    '      drop-ins:',
    '        - content: "[Service]"',
    '  update:',
    '    reboot-strategy: whenever',
    '  etcd2:',
    '    discovery: [a, b]',
    '  fleet: role=x',
  );
  assert.equal(validateCloudConfig(text), [
    { line: 4, level: 'error', message: 'coreos.units[0] is missing required key "name"' },
    {
      line: 6,
      level: 'error',
      message: 'coreos.units[1].command must be one of start, stop, restart, reload, try-restart, reload-or-restart, reload-or-try-restart, found the string "launch"',
    },
    { line: 7, level: 'error', message: 'coreos.units[1].enable must be a boolean, found the string "please"' },
    { line: 9, level: 'error', message: 'coreos.units[1].drop-ins[0] is missing required key "name"' },
    { line: 11, level: 'error', message: 'coreos.update.reboot-strategy must be one of best-effort, etcd-lock, reboot, off, found the string "whenever"' },
    { line: 13, level: 'error', message: 'coreos.etcd2.discovery must be a single value, found a list' },
    { line: 14, level: 'error', message: 'coreos.fleet must be a mapping, found the string "role=x"' },
  ]);
});

test('users: mappings with a name (either spelling of keys), or strings such as default', () => {
  const good = doc(
    '#cloud-config',
    'users:',
    '  - default',
    '  - name: core',
    '    passwd: $1$De/uvwHY$77ZDxv9lNwZJbwFziq4Ix0',
    '    ssh-authorized-keys: [ssh-rsa AAAA]',
    '    primary-group: core',
    '  - name: ops',
    '    ssh_authorized_keys: [ssh-rsa BBBB]',
    '    sudo: ALL=(ALL) NOPASSWD:ALL',
    '    lock_passwd: true',
    '    groups: wheel, docker',
  );
  assert.equal(validateCloudConfig(good), []);
  const bad = doc(
    '#cloud-config',
    'users:',
    '  - passwd: secret',
    '  - name: ops',
    '    ssh_authorized_keys: ssh-rsa AAAA',
    '    lock-passwd: yes',
    '    lock_passwd_now: yes',
    '  - [a, b]',
  );
  assert.equal(validateCloudConfig(bad), [
    { line: 3, level: 'error', message: 'users[0] is missing required key "name"' },
    { line: 5, level: 'error', message: 'users[1].ssh_authorized_keys must be a list, found the string "ssh-rsa AAAA"' },
    { line: 6, level: 'warning', message: '"lock-passwd" in users[1] is a deprecated spelling of "lock_passwd"' },
    { line: 7, level: 'warning', message: 'unknown key "lock_passwd_now" in users[1]' },
    { line: 8, level: 'error', message: 'users[2] must be a string or a mapping, found a list' },
  ]);
});

test('cloud-init lists: packages, runcmd, bootcmd, ssh_authorized_keys, mounts', () => {
  const good = doc(
    '#cloud-config',
    'package_update: true',
    'packages:',
    '  - nginx',
    '  - [libc6, 2.31-0ubuntu9]',
    'runcmd:',
    '  - systemctl restart nginx',
    '  - [sh, -c, echo done]',
    'bootcmd:',
    '  - echo booting',
    'ssh_authorized_keys:',
    '  - ssh-rsa AAAA',
    'mounts:',
    '  - [/dev/sdb, /data, ext4, defaults, "0", "2"]',
    'power_state:',
    '  mode: reboot',
    '  delay: now',
  );
  assert.equal(validateCloudConfig(good), []);
  const bad = doc(
    '#cloud-config',
    'package_update: sometimes',
    'packages: nginx',
    'runcmd:',
    '  - {sh: -c}',
    'bootcmd: echo booting',
    'ssh_authorized_keys:',
    '  - [ssh-rsa, AAAA]',
    'mounts:',
    '  - /dev/sdb /data',
    'power_state:',
    '  delay: now',
  );
  assert.equal(validateCloudConfig(bad), [
    { line: 2, level: 'error', message: 'package_update must be a boolean, found the string "sometimes"' },
    { line: 3, level: 'error', message: 'packages must be a list, found the string "nginx"' },
    { line: 5, level: 'error', message: 'runcmd[0] must be a string or a list, found a mapping' },
    { line: 6, level: 'error', message: 'bootcmd must be a list, found the string "echo booting"' },
    { line: 8, level: 'error', message: 'ssh_authorized_keys[0] must be a string, found a list' },
    { line: 10, level: 'error', message: 'mounts[0] must be a list, found the string "/dev/sdb /data"' },
    { line: 12, level: 'error', message: 'power_state is missing required key "mode"' },
  ]);
});

test('many problems at once, in line order, with the header error first', () => {
  const text = doc(
    'hostname: node1',
    'coreos:',
    '  units:',
    '    name: a.service',
    'write_files:',
    '  - content: x',
    'frobnicate: true',
    'ssh_authorized_keys: ssh-rsa AAAA',
  );
  assert.equal(validateCloudConfig(text), [
    noHeader,
    { line: 4, level: 'error', message: 'coreos.units must be a list, found a mapping' },
    { line: 6, level: 'error', message: 'write_files[0] is missing required key "path"' },
    { line: 7, level: 'warning', message: 'unknown top-level key "frobnicate"' },
    { line: 8, level: 'error', message: 'ssh_authorized_keys must be a list, found the string "ssh-rsa AAAA"' },
  ]);
});

test.run();
