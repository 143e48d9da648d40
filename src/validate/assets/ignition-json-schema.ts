// Shape of raw Ignition JSON, spec 2.x and 3.x (camelCase keys, decoded by
// encoding/json). Only what a rendered Vaquero asset plausibly uses is spelled
// out; unknown keys are warnings, as Ignition itself reports them.
import { any, bool, int, list, map, str } from './shape.ts';
import type { Shape } from './shape.ts';

const owner = map({ id: int, name: str });
const dropin = map({ name: str, contents: str }, ['name']);

// ---- spec 2.x (2.0 to 2.3)
const v2Verification = map({ hash: str });
const v2Reference = map({ source: str, verification: v2Verification }, ['source']);
const v2UserFields = {
  uid: int,
  gecos: str,
  homeDir: str,
  noCreateHome: bool,
  primaryGroup: str,
  groups: list(str),
  noUserGroup: bool,
  system: bool,
  noLogInit: bool,
  shell: str,
};
const v2NodeFields = { filesystem: str, path: str, user: owner, group: owner, overwrite: bool };

export const ignitionV2: Shape = map(
  {
    ignition: map(
      {
        version: str,
        config: map({ append: list(v2Reference), replace: v2Reference }),
        timeouts: map({ httpResponseHeaders: int, httpTotal: int }),
        security: map({ tls: map({ certificateAuthorities: list(v2Reference) }) }),
      },
      ['version'],
    ),
    storage: map({
      disks: list(
        map(
          {
            device: str,
            wipeTable: bool,
            partitions: list(map({ label: str, number: int, size: int, start: int, typeGuid: str, guid: str })),
          },
          ['device'],
        ),
      ),
      raid: list(map({ name: str, level: str, devices: list(str), spares: int, options: list(str) }, ['name', 'level'])),
      filesystems: list(
        map({
          name: str,
          mount: map(
            {
              device: str,
              format: str,
              create: map({ force: bool, options: list(str) }),
              wipeFilesystem: bool,
              label: str,
              uuid: str,
              options: list(str),
            },
            ['device', 'format'],
          ),
          path: str,
        }),
      ),
      files: list(
        map(
          { ...v2NodeFields, contents: map({ source: str, compression: str, verification: v2Verification }), mode: int, append: bool },
          ['path'],
        ),
      ),
      directories: list(map({ ...v2NodeFields, mode: int }, ['path'])),
      links: list(map({ ...v2NodeFields, target: str, hard: bool }, ['path', 'target'])),
    }),
    systemd: map({
      units: list(map({ name: str, enable: bool, enabled: bool, mask: bool, contents: str, dropins: list(dropin) }, ['name'])),
    }),
    networkd: map({ units: list(map({ name: str, contents: str, dropins: list(dropin) }, ['name'])) }),
    passwd: map({
      users: list(
        map({ name: str, passwordHash: str, sshAuthorizedKeys: list(str), ...v2UserFields, create: map(v2UserFields) }, ['name']),
      ),
      groups: list(map({ name: str, gid: int, passwordHash: str, system: bool }, ['name'])),
    }),
  },
  ['ignition'],
);

// ---- spec 3.x (3.0 to 3.4)
const v3Verification = map({ hash: str });
const v3Resource = map({
  source: str,
  compression: str,
  httpHeaders: list(map({ name: str, value: str }, ['name'])),
  verification: v3Verification,
});
const v3NodeFields = { path: str, overwrite: bool, user: owner, group: owner };

export const ignitionV3: Shape = map(
  {
    ignition: map(
      {
        version: str,
        config: map({ merge: list(v3Resource), replace: v3Resource }),
        timeouts: map({ httpResponseHeaders: int, httpTotal: int }),
        security: map({ tls: map({ certificateAuthorities: list(v3Resource) }) }),
        proxy: map({ httpProxy: str, httpsProxy: str, noProxy: list(str) }),
      },
      ['version'],
    ),
    storage: map({
      disks: list(
        map(
          {
            device: str,
            wipeTable: bool,
            partitions: list(
              map({
                label: str,
                number: int,
                sizeMiB: int,
                startMiB: int,
                typeGuid: str,
                guid: str,
                wipePartitionEntry: bool,
                shouldExist: bool,
                resize: bool,
              }),
            ),
          },
          ['device'],
        ),
      ),
      raid: list(map({ name: str, level: str, devices: list(str), spares: int, options: list(str) }, ['name'])),
      filesystems: list(
        map(
          {
            device: str,
            format: str,
            path: str,
            wipeFilesystem: bool,
            label: str,
            uuid: str,
            options: list(str),
            mountOptions: list(str),
          },
          ['device'],
        ),
      ),
      files: list(map({ ...v3NodeFields, contents: v3Resource, append: list(v3Resource), mode: int }, ['path'])),
      directories: list(map({ ...v3NodeFields, mode: int }, ['path'])),
      links: list(map({ ...v3NodeFields, target: str, hard: bool }, ['path'])),
      luks: list(
        map(
          {
            name: str,
            device: str,
            keyFile: v3Resource,
            label: str,
            uuid: str,
            options: list(str),
            wipeVolume: bool,
            discard: bool,
            openOptions: list(str),
            clevis: any,
          },
          ['name'],
        ),
      ),
    }),
    systemd: map({
      units: list(map({ name: str, enabled: bool, mask: bool, contents: str, dropins: list(dropin) }, ['name'])),
    }),
    passwd: map({
      users: list(
        map(
          {
            name: str,
            passwordHash: str,
            sshAuthorizedKeys: list(str),
            uid: int,
            gecos: str,
            homeDir: str,
            noCreateHome: bool,
            primaryGroup: str,
            groups: list(str),
            noUserGroup: bool,
            system: bool,
            noLogInit: bool,
            shell: str,
            shouldExist: bool,
          },
          ['name'],
        ),
      ),
      groups: list(map({ name: str, gid: int, passwordHash: str, system: bool, shouldExist: bool }, ['name'])),
    }),
    kernelArguments: map({ shouldExist: list(str), shouldNotExist: list(str) }),
  },
  ['ignition'],
);

// `ignition.version` as Ignition parses it (semver, with -experimental for the spec in development).
const versionPattern = /^(\d+)\.(\d+)\.(\d+)(-experimental)?$/;

/** Which schema a parsed `ignition.version` selects; undefined for unsupported specs. */
export function schemaForVersion(version: string): Shape | undefined {
  const m = versionPattern.exec(version);
  if (!m) return undefined;
  if (m[1] === '2' && Number(m[2]) <= 4) return ignitionV2;
  if (m[1] === '3' && Number(m[2]) <= 5) return ignitionV3;
  return undefined;
}
