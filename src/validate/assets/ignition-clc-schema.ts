// Shape of a CoreOS Container Linux Config (the YAML that ct/fuze turned into
// Ignition), as Vaquero's ignition assets are written. Field names and types
// follow ct's config types; snake_case keys, decoded by yaml.v2.
import { bool, enumOf, int, list, map, oneOf, openMap, scalar, str } from './shape.ts';
import type { Shape } from './shape.ts';

const verification = map({ hash: oneOf(str, map({ function: enumOf('sha512'), sum: str })) });
const reference = map({ source: str, verification }, ['source']);

const ignition = map({
  config: map({ append: list(reference), replace: reference }),
  timeouts: map({ http_response_headers: int, http_total: int }),
  security: map({ tls: map({ certificate_authorities: list(reference) }) }),
});

const owner = map({ id: int, name: str });

const storage = map({
  disks: list(
    map(
      {
        device: str,
        wipe_table: bool,
        partitions: list(map({ label: str, number: int, size: str, start: str, type_guid: str, guid: str })),
      },
      ['device'],
    ),
  ),
  raid: list(map({ name: str, level: str, devices: list(str), spares: int }, ['name', 'level'])),
  filesystems: list(
    map(
      {
        name: str,
        mount: map(
          {
            device: str,
            format: str,
            create: map({ force: bool, options: list(str) }),
            wipe_filesystem: bool,
            label: str,
            uuid: str,
            options: list(str),
          },
          ['device', 'format'],
        ),
        path: str,
      },
      ['name'],
    ),
  ),
  files: list(
    map(
      {
        filesystem: str,
        path: str,
        contents: map({
          remote: map({ url: str, compression: str, verification }),
          inline: str,
          local: str,
        }),
        mode: int,
        user: owner,
        group: owner,
        overwrite: bool,
        append: bool,
      },
      ['path'],
    ),
  ),
  directories: list(map({ filesystem: str, path: str, mode: int, user: owner, group: owner, overwrite: bool }, ['path'])),
  links: list(
    map({ filesystem: str, path: str, target: str, hard: bool, user: owner, group: owner, overwrite: bool }, ['path', 'target']),
  ),
});

const dropin = map({ name: str, contents: str }, ['name']);

// Both spellings of the unit switch: ct took `enable` first and later `enabled`.
const systemd = map({
  units: list(map({ name: str, enable: bool, enabled: bool, mask: bool, contents: str, dropins: list(dropin) }, ['name'])),
});

const networkd = map({ units: list(map({ name: str, contents: str, dropins: list(dropin) }, ['name'])) });

const userFields = {
  uid: int,
  gecos: str,
  home_dir: str,
  no_create_home: bool,
  primary_group: str,
  groups: list(str),
  no_user_group: bool,
  system: bool,
  no_log_init: bool,
  shell: str,
};

const passwd = map({
  users: list(
    map(
      {
        name: str,
        password_hash: str,
        ssh_authorized_keys: list(str),
        ...userFields,
        create: map(userFields),
      },
      ['name'],
    ),
  ),
  groups: list(map({ name: str, gid: int, password_hash: str, system: bool }, ['name'])),
});

export const containerLinuxConfig: Shape = map({
  ignition,
  storage,
  systemd,
  networkd,
  passwd,
  // etcd and flannel take their daemons' flags as snake_case keys; ct passed
  // unknown ones through, so only the value kind is checked.
  etcd: openMap(scalar, { version: str }),
  flannel: openMap(scalar, { version: str, network_config: str }),
  docker: map({ flags: list(str) }),
  update: map({ group: str, server: str }),
  locksmith: map({
    reboot_strategy: str,
    window_start: str,
    window_length: str,
    group: str,
    etcd_endpoints: str,
    etcd_cafile: str,
    etcd_certfile: str,
    etcd_keyfile: str,
  }),
});
