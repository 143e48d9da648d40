import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readSizeFor } from '../../src/io/http/file-sender.ts';

test('downloads read 512 KiB at a time when few are in flight, down to 64 KiB when many share the 64 MiB budget (two buffers each), in powers of two', () => {
  assert.equal([0, 1, 63, 64, 127, 128, 255, 256, 1023, 100_000].map(readSizeFor), [512 << 10, 512 << 10, 512 << 10, 256 << 10, 256 << 10, 128 << 10, 128 << 10, 64 << 10, 64 << 10, 64 << 10]);
});

test.run();
