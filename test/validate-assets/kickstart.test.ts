// Kickstart assets: commands and %sections as anaconda (pykickstart) reads
// them on RHEL 7 to 9; each document is checked for its whole problem list.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateKickstart } from '../../src/validate/assets/index.ts';
import { splitKickstartLine } from '../../src/validate/assets/kickstart-line.ts';

const doc = (...lines: string[]): string => `${lines.join('\n')}\n`;
const base = ['lang en_US.UTF-8', 'keyboard us', 'rootpw --iscrypted $6$abc', 'text', 'reboot'];

test('a complete RHEL 8 kickstart with every section has no problems', () => {
  const text = doc(
    '#version=RHEL8',
    ...base,
    'url --url http://mirror/rhel/8/BaseOS/x86_64/os/',
    'repo --name=AppStream --baseurl=http://mirror/rhel/8/AppStream/x86_64/os/',
    'network --bootproto=dhcp --device=link --activate # first link up',
    'authselect select sssd',
    'timezone Etc/UTC --utc',
    'zerombr',
    'clearpart --all --initlabel',
    'reqpart --add-boot',
    'part pv.01 --size=1 --grow',
    'volgroup vg0 pv.01',
    'logvol / --vgname=vg0 --name=root --size=1 --grow',
    'services --enabled=sshd',
    'user --name=ops --groups=wheel --password="a b c" --plaintext',
    "sshkey --username=ops 'ssh-rsa AAAA ops@host'",
    '%include /tmp/part-include',
    '',
    '%pre --interpreter=/usr/bin/bash --log=/tmp/pre.log',
    'echo "part / --size 1000" > /tmp/part-include',
    '%end',
    '%packages --ignoremissing --excludedocs --inst-langs=en',
    '@^minimal-environment',
    '@ Core',
    '-iwl*-firmware',
    'kernel-*',
    '@container-tools:rhel8/common',
    '# a comment',
    '',
    '%end',
    '%post --nochroot --erroronfail',
    'echo "%packages is only a header at the start of a line"',
    'cp /tmp/pre.log /mnt/sysimage/root/',
    '%end',
    '%addon com_redhat_kdump --enable --reserve-mb=auto',
    '%end',
    '%anaconda',
    'pwpolicy root --minlen=6 --minquality=1 --notstrict --nochanges --notempty',
    '%end',
    '%onerror',
    'echo failed',
    '%end',
  );
  assert.equal(validateKickstart(text), []);
});

test('a %packages section that is never closed is an error on its header', () => {
  assert.equal(validateKickstart(doc(...base, '%packages', '@core', 'vim')), [
    { line: 6, level: 'error', message: '%packages section is not closed by %end' },
  ]);
});

test('a section opened before the previous one is closed: the previous one is unclosed', () => {
  assert.equal(validateKickstart(doc(...base, '%packages', '@core', '%post', 'echo hi', '%end')), [
    { line: 6, level: 'error', message: '%packages section is not closed by %end' },
  ]);
  // As in pykickstart, a line inside a script that starts with a section name is taken as a header.
  assert.equal(validateKickstart(doc(...base, '%post', '%packages --nobase', '%end')), [
    { line: 6, level: 'error', message: '%post section is not closed by %end' },
  ]);
});

test('a stray %end is an error', () => {
  assert.equal(validateKickstart(doc(...base, '%packages', '@core', '%end', '%end')), [
    { line: 9, level: 'error', message: '%end without an open section' },
  ]);
});

test('an unknown section is an error, and its body is not read as commands', () => {
  assert.equal(validateKickstart(doc(...base, '%postinstall', 'echo hi', 'frobnicate', '%end', 'skipx')), [
    { line: 6, level: 'error', message: 'unknown kickstart section "%postinstall"' },
  ]);
  assert.equal(validateKickstart(doc(...base, '%packges', '@core')), [
    { line: 6, level: 'error', message: 'unknown kickstart section "%packges"' },
  ]);
});

test('an unknown command is a warning; commands dropped after RHEL 7 are not', () => {
  assert.equal(validateKickstart(doc('install', 'authconfig --enableshadow --passalgo=sha512', 'key --skip', 'langauge en_US', ...base)), [
    { line: 4, level: 'warning', message: 'unknown kickstart command "langauge"' },
  ]);
});

test('unknown section options are warnings', () => {
  assert.equal(validateKickstart(doc(...base, '%packages --nodocs', '@core', '%end', '%pre --nochroot', '%end')), [
    { line: 6, level: 'warning', message: 'unknown option "--nodocs" for %packages' },
    { line: 9, level: 'warning', message: 'unknown option "--nochroot" for %pre' },
  ]);
});

test('package lines: a bare @ or - names nothing; a space outside a group name is suspicious', () => {
  assert.equal(validateKickstart(doc(...base, '%packages', '@', '-', '-@', 'openssh-server openssh-clients', '@Development Tools', '%end')), [
    { line: 7, level: 'error', message: '"@" names no group' },
    { line: 8, level: 'error', message: '"-" names no package' },
    { line: 9, level: 'error', message: '"-@" names no group' },
    { line: 10, level: 'warning', message: '"openssh-server openssh-clients" is read as one package name containing a space' },
  ]);
});

test('an unclosed quote, an %include without a file, an %addon without a name are errors', () => {
  assert.equal(validateKickstart(doc(...base, 'rootpw "secret', '%include', '%addon', '%end')), [
    { line: 6, level: 'error', message: 'rootpw: no closing " quote' },
    { line: 7, level: 'error', message: '%include needs a file to read' },
    { line: 8, level: 'error', message: '%addon needs the add-on name' },
  ]);
});

test('an empty kickstart is an error', () => {
  for (const text of ['', doc('', '# nothing', '   ')]) {
    assert.equal(validateKickstart(text), [{ line: 1, level: 'error', message: 'the kickstart file is empty' }], JSON.stringify(text));
  }
});

test('many problems at once, in line order', () => {
  const text = doc('%end', 'install', 'lang en_US', 'bogus --x', '%traceback', 'echo tb', '%end', '%weird', '%end', '%packages', '@core');
  assert.equal(validateKickstart(text), [
    { line: 1, level: 'error', message: '%end without an open section' },
    { line: 4, level: 'warning', message: 'unknown kickstart command "bogus"' },
    { line: 8, level: 'error', message: 'unknown kickstart section "%weird"' },
    { line: 10, level: 'error', message: '%packages section is not closed by %end' },
  ]);
});

test('CRLF line ends and indentation are accepted', () => {
  assert.equal(validateKickstart('lang en_US\r\n  text\r\n%packages\r\n  @core\r\n%end\r\n'), []);
});

test('lines split like shlex: quotes group, backslashes escape, # starting a word ends the line', () => {
  assert.equal(splitKickstartLine(`user --name=a --password="x y" 'q "r' b\\ c # note`), {
    ok: true,
    words: ['user', '--name=a', '--password=x y', 'q "r', 'b c'],
  });
  assert.equal(splitKickstartLine('network --hostname=a#b'), { ok: true, words: ['network', '--hostname=a#b'] });
  assert.equal(splitKickstartLine("rootpw 'abc"), { ok: false, reason: "no closing ' quote" });
});

test.run();
