// What anaconda's kickstart parser (pykickstart) knows on RHEL 7 to 9:
// commands, %sections and their options. A command valid on any of these
// releases is known, even if a later one dropped it (e.g. install, authconfig, key).

export const kickstartCommands: ReadonlySet<string> = new Set([
  // installation method and source
  'install', 'upgrade', 'url', 'repo', 'nfs', 'cdrom', 'harddrive', 'liveimg', 'hmc', 'method',
  'ostreesetup', 'ostreecontainer', 'bootc', 'updates', 'driverdisk', 'mediacheck', 'rescue',
  // user interface and flow
  'text', 'graphical', 'cmdline', 'interactive', 'autostep', 'vnc', 'skipx', 'xconfig', 'monitor', 'firstboot',
  'eula', 'reboot', 'poweroff', 'halt', 'shutdown', 'logging', 'unsupported_hardware', 'key',
  // localisation
  'lang', 'keyboard', 'timezone', 'timesource',
  // accounts and security
  'rootpw', 'user', 'group', 'sshkey', 'sshpw', 'auth', 'authconfig', 'authselect', 'selinux', 'firewall',
  'realm', 'rhsm', 'syspurpose',
  // network and services
  'network', 'services', 'module',
  // storage
  'bootloader', 'zipl', 'clearpart', 'zerombr', 'ignoredisk', 'part', 'partition', 'autopart', 'reqpart',
  'logvol', 'volgroup', 'raid', 'btrfs', 'snapshot', 'mount', 'nvdimm', 'multipath', 'dmraid', 'device',
  'deviceprobe', 'zfcp', 'fcoe', 'iscsi', 'iscsiname',
]);

/** Lines starting with these are commands spelled with a `%`, not sections. */
export const percentCommands: ReadonlySet<string> = new Set(['%include', '%ksappend']);

export type SectionKind = 'packages' | 'script' | 'addon' | 'anaconda';

const scriptOptions = ['--interpreter', '--erroronfail', '--log', '--logfile'];

export const kickstartSections: ReadonlyMap<string, { kind: SectionKind; options: readonly string[] | 'any' }> = new Map([
  [
    '%packages',
    {
      kind: 'packages',
      options: [
        '--default', '--excludedocs', '--ignoremissing', '--nobase', '--nocore', '--instLangs', '--inst-langs',
        '--multilib', '--excludeWeakdeps', '--exclude-weakdeps', '--retries', '--timeout',
      ],
    },
  ],
  ['%pre', { kind: 'script', options: scriptOptions }],
  ['%pre-install', { kind: 'script', options: scriptOptions }],
  ['%post', { kind: 'script', options: [...scriptOptions, '--nochroot'] }],
  ['%onerror', { kind: 'script', options: scriptOptions }],
  ['%traceback', { kind: 'script', options: scriptOptions }],
  // %addon takes the add-on's name and that add-on's own options.
  ['%addon', { kind: 'addon', options: 'any' }],
  ['%anaconda', { kind: 'anaconda', options: [] }],
]);
