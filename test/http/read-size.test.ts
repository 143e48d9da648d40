import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readSizeFor } from '../../src/io/http/static-files.ts';

test('downloads read 1 MiB at a time when few are in flight, 64 KiB when many share the 64 MiB budget', () => {
  assert.equal([0, 1, 63, 127, 255, 1023, 100_000].map(readSizeFor), [1 << 20, 1 << 20, 1 << 20, 512 << 10, 256 << 10, 64 << 10, 64 << 10]);
});

test.run();
