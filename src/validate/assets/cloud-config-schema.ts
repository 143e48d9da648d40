// Shape of a cloud-config as either consumer reads it: CoreOS
// coreos-cloudinit (the `coreos:` section, hyphenated user keys) and
// cloud-init (everything else). A key known to either one is accepted.
import { any, bool, enumOf, int, list, map, oneOf, openMap, scalar, str, withRenamed } from './shape.ts';
import type { Shape } from './shape.ts';

// coreos-cloudinit validated these against the unit's systemctl action.
const unitCommand = enumOf('start', 'stop', 'restart', 'reload', 'try-restart', 'reload-or-restart', 'reload-or-try-restart');

const coreos = map({
  // The daemons' flags, passed through as environment variables.
  etcd: openMap(scalar),
  etcd2: openMap(scalar),
  fleet: openMap(scalar),
  flannel: openMap(scalar),
  locksmith: openMap(scalar),
  update: map({ 'reboot-strategy': enumOf('best-effort', 'etcd-lock', 'reboot', 'off'), group: str, server: str }),
  units: list(
    map(
      {
        name: str,
        runtime: bool,
        enable: bool,
        content: str,
        command: unitCommand,
        mask: bool,
        'drop-ins': list(map({ name: str, content: str }, ['name'])),
      },
      ['name'],
    ),
  ),
  oem: map({ id: str, name: str, 'version-id': str, 'home-url': str, 'bug-report-url': str }),
});

const user = withRenamed(
  map(
    {
      name: str,
      gecos: str,
      groups: oneOf(str, list(str)),
      homedir: str,
      shell: str,
      system: bool,
      uid: int,
      passwd: str,
      // coreos-cloudinit spellings
      'ssh-authorized-keys': list(str),
      'coreos-ssh-import-github': str,
      'coreos-ssh-import-github-users': list(str),
      'coreos-ssh-import-url': str,
      'no-create-home': bool,
      'primary-group': str,
      'no-user-group': bool,
      'no-log-init': bool,
      // cloud-init spellings
      ssh_authorized_keys: list(str),
      ssh_import_id: oneOf(str, list(str)),
      ssh_redirect_user: bool,
      no_create_home: bool,
      primary_group: str,
      no_user_group: bool,
      no_log_init: bool,
      lock_passwd: bool,
      hashed_passwd: str,
      plain_text_passwd: str,
      create_groups: bool,
      expiredate: str,
      inactive: str,
      selinux_user: str,
      snapuser: str,
      sudo: oneOf(bool, str, list(str)),
      doas: list(str),
    },
    ['name'],
  ),
  { 'lock-passwd': 'lock_passwd' },
);

const writeFile = map(
  {
    path: str,
    content: str,
    encoding: enumOf('b64', 'base64', 'gz', 'gzip', 'gz+base64', 'gzip+base64', 'gz+b64', 'gzip+b64', 'text/plain'),
    owner: str,
    // yaml.v2 keeps `0644` as the text "0644"; cloud-init reads it as octal. Either way a scalar.
    permissions: scalar,
    append: bool,
    defer: bool,
    source: map({ uri: str, headers: openMap(str) }, ['uri']),
  },
  ['path'],
);

const command = oneOf(str, list(scalar));

export const cloudConfig: Shape = withRenamed(
  map({
    coreos,
    // shared by both
    hostname: str,
    users: oneOf(str, list(oneOf(str, user))),
    write_files: list(writeFile),
    ssh_authorized_keys: list(str),
    manage_etc_hosts: oneOf(bool, enumOf('localhost', 'template')),
    // cloud-init
    user: oneOf(str, user),
    groups: oneOf(str, list(oneOf(str, openMap(oneOf(str, list(str)))))),
    packages: list(oneOf(str, list(str), openMap(any))),
    package_update: bool,
    package_upgrade: bool,
    package_reboot_if_required: bool,
    runcmd: list(command),
    bootcmd: list(command),
    ssh_pwauth: oneOf(bool, str),
    ssh_keys: openMap(str),
    ssh_deletekeys: bool,
    ssh_genkeytypes: list(str),
    ssh_import_id: list(str),
    disable_root: bool,
    chpasswd: map({
      expire: bool,
      list: oneOf(str, list(str)),
      users: list(map({ name: str, password: str, type: enumOf('hash', 'text', 'RANDOM') }, ['name'])),
    }),
    password: str,
    fqdn: str,
    prefer_fqdn_over_hostname: bool,
    preserve_hostname: bool,
    create_hostname_file: bool,
    timezone: str,
    locale: oneOf(bool, str),
    locale_configfile: str,
    keyboard: map({ layout: str, model: str, variant: str, options: str }, ['layout']),
    ntp: openMap(any, { enabled: bool, ntp_client: str, servers: list(str), pools: list(str), peers: list(str), allow: list(str) }),
    mounts: list(list(scalar)),
    mount_default_fields: list(scalar),
    swap: openMap(scalar),
    apt: openMap(any),
    apt_pipelining: oneOf(bool, str, int),
    yum_repos: openMap(openMap(scalar)),
    zypper: openMap(any),
    apk_repos: openMap(any),
    snap: openMap(any),
    final_message: str,
    power_state: map(
      { mode: enumOf('poweroff', 'reboot', 'halt'), delay: scalar, message: str, timeout: int, condition: oneOf(bool, str, list(str)) },
      ['mode'],
    ),
    disk_setup: openMap(openMap(any)),
    fs_setup: list(openMap(any)),
    growpart: openMap(any),
    resize_rootfs: oneOf(bool, enumOf('noblock')),
    ca_certs: withRenamed(map({ trusted: list(str), remove_defaults: bool }), { 'remove-defaults': 'remove_defaults' }),
    manage_resolv_conf: bool,
    resolv_conf: openMap(any),
    phone_home: map({ url: str, post: oneOf(str, list(str)), tries: int }, ['url']),
    rsyslog: oneOf(list(any), openMap(any)),
    output: openMap(any),
    merge_how: oneOf(str, list(any)),
    random_seed: openMap(any),
    device_aliases: openMap(str),
    byobu_by_default: str,
    ansible: openMap(any),
    chef: openMap(any),
    puppet: openMap(any),
    salt_minion: openMap(any),
    mcollective: openMap(any),
    landscape: openMap(any),
    lxd: openMap(any),
    rh_subscription: openMap(any),
    spacewalk: openMap(any),
    ubuntu_pro: openMap(any),
    wireguard: openMap(any),
    drivers: openMap(any),
    reporting: openMap(any),
    vendor_data: openMap(any),
    datasource: openMap(any),
    system_info: openMap(any),
    cloud_init_modules: list(any),
    cloud_config_modules: list(any),
    cloud_final_modules: list(any),
  }),
  { 'ca-certs': 'ca_certs' },
);
