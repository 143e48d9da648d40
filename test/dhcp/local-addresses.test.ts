import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pickServerAddress } from '../../src/io/dhcp/local-addresses.ts';

const locals = [
  { address: '192.168.5.2', cidr: '192.168.5.2/24' },
  { address: '10.0.0.1', cidr: '10.0.0.1/24' },
  { address: '10.1.0.1', cidr: '10.1.0.1/16' },
];

test('multi-homed: the address in the host subnet, else the one facing the relay, else the first for relays only', () => {
  assert.equal(
    [
      pickServerAddress(locals, '10.0.0.0/24'),
      pickServerAddress(locals, '10.0.0.0/24', '10.1.4.1'),
      pickServerAddress(locals, '10.50.0.0/24', '10.1.4.1'),
      pickServerAddress(locals, '10.50.0.0/24', '172.16.0.1'),
      pickServerAddress(locals, '10.50.0.0/24'),
      pickServerAddress([], '10.50.0.0/24', '172.16.0.1'),
      pickServerAddress(locals, 'not-a-cidr'),
    ],
    ['10.0.0.1', '10.0.0.1', '10.1.0.1', '192.168.5.2', undefined, undefined, undefined],
  );
});

test.run();
