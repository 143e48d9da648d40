// Container Linux Config (YAML) ignition assets: each broken document is
// checked for its whole problem list.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateIgnition } from '../../src/validate/assets/index.ts';

const doc = (...lines: string[]): string => `${lines.join('\n')}\n`;

test('a YAML syntax error is an error on its line, and stops the shape checks', () => {
  const text = doc('systemd:', '  units:', '    - name: a.service', '   enable: true', 'bogus: 1');
  assert.equal(validateIgnition(text), [
    { line: 4, level: 'error', message: 'YAML syntax error: All mapping items must start at the same column' },
  ]);
});

test('an unterminated quote is a syntax error', () => {
  assert.equal(validateIgnition(doc('passwd:', '  users:', '    - name: "core')), [
    { line: 4, level: 'error', message: 'YAML syntax error: Missing closing "quote' },
  ]);
});

test('systemd.units as a mapping is an error', () => {
  const text = doc('systemd:', '  units:', '    name: a.service', '    enable: true');
  assert.equal(validateIgnition(text), [{ line: 3, level: 'error', message: 'systemd.units must be a list, found a mapping' }]);
});

test('a unit without a name is an error on the unit', () => {
  const text = doc('systemd:', '  units:', '    - name: a.service', '    - enable: true', '      contents: |', '        [Service]');
  assert.equal(validateIgnition(text), [{ line: 4, level: 'error', message: 'systemd.units[1] is missing required key "name"' }]);
});

test('an empty list item that must be a unit lacks its name', () => {
  assert.equal(validateIgnition(doc('systemd:', '  units:', '    -', '    - name: a.service')), [
    { line: 3, level: 'error', message: 'systemd.units[0] is missing required key "name"' },
  ]);
});

test('enable must be a boolean, quoted or not', () => {
  const text = doc('systemd:', '  units:', '    - name: a.service', '      enable: "yes please"', '    - name: b.service', '      enable: yes please');
  assert.equal(validateIgnition(text), [
    { line: 4, level: 'error', message: 'systemd.units[0].enable must be a boolean, found the string "yes please"' },
    { line: 6, level: 'error', message: 'systemd.units[1].enable must be a boolean, found the string "yes please"' },
  ]);
});

test('enable and enabled are both accepted, with YAML 1.1 booleans (yes, on, off)', () => {
  const text = doc(
    'systemd:',
    '  units:',
    '    - name: a.service',
    '      enable: yes',
    '    - name: b.service',
    '      enabled: on',
    '      mask: off',
    '      dropins:',
    '        - name: 10-x.conf',
    '          contents: "[Service]"',
  );
  assert.equal(validateIgnition(text), []);
});

test('a plain y or n is a boolean, as yaml.v2 reads it; quoted it is a string', () => {
  const text = doc('systemd:', '  units:', '    - name: a.service', '      enable: y', '      mask: N', '    - name: b.service', '      enable: "y"');
  assert.equal(validateIgnition(text), [
    { line: 7, level: 'error', message: 'systemd.units[1].enable must be a boolean, found the string "y"' },
  ]);
});

test('an unknown top-level key is a warning', () => {
  const text = doc('systemd:', '  units: []', 'kubernetes:', '  version: 1.6');
  assert.equal(validateIgnition(text), [{ line: 3, level: 'warning', message: 'unknown top-level key "kubernetes"' }]);
});

test('unknown keys inside known sections are warnings, wherever they are', () => {
  const text = doc('systemd:', '  units:', '    - name: a.service', '      enable_now: true', '  timers: []');
  assert.equal(validateIgnition(text), [
    { line: 4, level: 'warning', message: 'unknown key "enable_now" in systemd.units[0]' },
    { line: 5, level: 'warning', message: 'unknown key "timers" in systemd' },
  ]);
});

test('integers, strings and lists where the schema says so; YAML 1.1 octal modes are integers', () => {
  const text = doc(
    'passwd:',
    '  users:',
    '    - name: core',
    '      uid: five hundred',
    '      ssh_authorized_keys: ssh-rsa AAAA core@host',
    '      groups: [sudo, docker]',
    '      create:',
    '        home_dir: [/home/core]',
    'storage:',
    '  files:',
    '    - filesystem: root',
    '      path: /etc/hostname',
    '      mode: 0644',
    '      contents:',
    '        inline: host1',
    '    - filesystem: root',
    '      mode: 1.5',
  );
  assert.equal(validateIgnition(text), [
    { line: 4, level: 'error', message: 'passwd.users[0].uid must be an integer, found the string "five hundred"' },
    { line: 5, level: 'error', message: 'passwd.users[0].ssh_authorized_keys must be a list, found the string "ssh-rsa AAAA core@host"' },
    { line: 8, level: 'error', message: 'passwd.users[0].create.home_dir must be a string, found a list' },
    { line: 16, level: 'error', message: 'storage.files[1] is missing required key "path"' },
    { line: 17, level: 'error', message: 'storage.files[1].mode must be an integer, found the number 1.5' },
  ]);
});

test('a string field takes any scalar, as yaml.v2 did (numbers, booleans)', () => {
  const text = doc('passwd:', '  users:', '    - name: 1000', '      shell: on', 'update:', '  group: 1.0');
  assert.equal(validateIgnition(text), []);
});

test('the document must be a mapping', () => {
  assert.equal(validateIgnition(doc('- systemd', '- passwd')), [
    { line: 1, level: 'error', message: 'the document must be a mapping, found a list' },
  ]);
  assert.equal(validateIgnition(doc('just some text')), [
    { line: 1, level: 'error', message: 'the document must be a mapping, found the string "just some text"' },
  ]);
});

test('an empty document is an error: nothing, blanks, comments, a bare ---', () => {
  const expected = [{ line: 1, level: 'error', message: 'the ignition config is empty' }];
  for (const text of ['', '\n  \n', doc('# nothing rendered', '', '# at all'), doc('---'), doc('---', '# only a comment')]) {
    assert.equal(validateIgnition(text), expected, JSON.stringify(text));
  }
});

test('a second YAML document is ignored by the consumer: a warning', () => {
  const text = doc('---', 'systemd:', '  units: []', '---', 'passwd:', '  users: []');
  assert.equal(validateIgnition(text), [
    { line: 4, level: 'warning', message: 'only the first YAML document is read; this one is ignored' },
  ]);
});

test('an unknown YAML tag is a warning from the parser', () => {
  assert.equal(validateIgnition(doc('update:', '  group: !channel stable')), [
    { line: 2, level: 'warning', message: 'YAML: Unresolved tag: !channel' },
  ]);
});

test('a repeated key is a warning (yaml.v2 keeps the last one)', () => {
  const text = doc('systemd:', '  units:', '    - name: a.service', '      name: b.service');
  assert.equal(validateIgnition(text), [
    { line: 4, level: 'warning', message: 'duplicate key "name" in systemd.units[0]; the last one is used' },
  ]);
});

test('anchors, aliases and merge keys are followed; an unknown alias is an error', () => {
  const good = doc(
    'systemd:',
    '  units:',
    '    - &base',
    '      name: a.service',
    '      enable: true',
    '    - <<: *base',
    '      name: b.service',
    '    - *base',
  );
  assert.equal(validateIgnition(good), []);
  const badMerged = doc('systemd:', '  units:', '    - &base', '      enable: maybe', '    - <<: *base', '      name: b.service');
  assert.equal(validateIgnition(badMerged), [
    // The anchored mapping starts on the line after its anchor.
    { line: 4, level: 'error', message: 'systemd.units[0].enable must be a boolean, found the string "maybe"' },
    { line: 4, level: 'error', message: 'systemd.units[0] is missing required key "name"' },
    { line: 4, level: 'error', message: 'systemd.units[1].enable must be a boolean, found the string "maybe"' },
  ]);
  assert.equal(validateIgnition(doc('systemd:', '  units: *nowhere')), [
    { line: 2, level: 'error', message: 'unknown anchor "nowhere" referenced by an alias' },
  ]);
});

test('many problems in one document are all reported, in line order', () => {
  const text = doc(
    'networkd:',
    '  units:',
    '    - contents: "[Match]"',
    'systemd:',
    '  units:',
    '    - name: a.service',
    '      enable: "yes please"',
    '      dropins: 10-x.conf',
    'passwd:',
    '  users: core',
    '  groups:',
    '    - gid: 500',
    'etcd:',
    '  name: node1',
    '  initial_cluster: [a, b]',
    'flannel:',
    '  version: 0.7.0',
    'vaquero: true',
  );
  assert.equal(validateIgnition(text), [
    { line: 3, level: 'error', message: 'networkd.units[0] is missing required key "name"' },
    { line: 7, level: 'error', message: 'systemd.units[0].enable must be a boolean, found the string "yes please"' },
    { line: 8, level: 'error', message: 'systemd.units[0].dropins must be a list, found the string "10-x.conf"' },
    { line: 10, level: 'error', message: 'passwd.users must be a list, found the string "core"' },
    { line: 12, level: 'error', message: 'passwd.groups[0] is missing required key "name"' },
    { line: 15, level: 'error', message: 'etcd.initial_cluster must be a single value, found a list' },
    { line: 18, level: 'warning', message: 'unknown top-level key "vaquero"' },
  ]);
});

test('every section a Container Linux Config can have is known', () => {
  const text = doc(
    'ignition:',
    '  config:',
    '    append:',
    '      - source: http://10.0.0.1/extra.ign',
    '        verification:',
    '          hash:',
    '            function: sha512',
    '            sum: abc',
    '  timeouts:',
    '    http_response_headers: 10',
    '    http_total: 60',
    '  security:',
    '    tls:',
    '      certificate_authorities:',
    '        - source: http://10.0.0.1/ca.pem',
    'storage:',
    '  disks:',
    '    - device: /dev/sda',
    '      wipe_table: true',
    '      partitions:',
    '        - label: ROOT',
    '          number: 1',
    '          size: 4GiB',
    '  raid:',
    '    - name: md0',
    '      level: raid1',
    '      devices: [/dev/sdb, /dev/sdc]',
    '  filesystems:',
    '    - name: data',
    '      mount:',
    '        device: /dev/md0',
    '        format: ext4',
    '        create:',
    '          force: true',
    '          options: [-L, DATA]',
    '  files:',
    '    - path: /etc/motd',
    '      filesystem: root',
    '      mode: 0644',
    '      user: {id: 0}',
    '      contents:',
    '        remote:',
    '          url: http://10.0.0.1/motd',
    '  directories:',
    '    - path: /opt/bin',
    '      filesystem: root',
    '  links:',
    '    - path: /etc/localtime',
    '      target: /usr/share/zoneinfo/UTC',
    '      filesystem: root',
    'networkd:',
    '  units:',
    '    - name: 10-eth0.network',
    '      contents: "[Match]"',
    'passwd:',
    '  groups:',
    '    - name: ops',
    '      gid: 600',
    'etcd:',
    '  version: 3.0.15',
    '  name: node1',
    'flannel:',
    '  network_config: \'{"Network": "10.2.0.0/16"}\'',
    'docker:',
    '  flags: [--debug]',
    'update:',
    '  group: stable',
    'locksmith:',
    '  reboot_strategy: etcd-lock',
  );
  assert.equal(validateIgnition(text), []);
});

test.run();
