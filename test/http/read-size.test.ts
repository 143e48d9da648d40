import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readSizeFor } from '../../src/io/http/file-sender.ts';

test('downloads read 1 MiB at a time when few are in flight, down to 64 KiB when many share the 64 MiB budget (two buffers each), in powers of two', () => {
  assert.equal([0, 1, 31, 32, 63, 64, 127, 255, 511, 1023, 100_000].map(readSizeFor), [1 << 20, 1 << 20, 1 << 20, 512 << 10, 512 << 10, 256 << 10, 256 << 10, 128 << 10, 64 << 10, 64 << 10, 64 << 10]);
});

test.run();
