// The entry point's side of the root: exit 1 on a fatal escalation, and the
// same for an exception or rejection that escaped every handler.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VaqueroError } from '../../src/errors.ts';
import { exitProcess, installProcessHandlers, startRoot } from '../../src/supervisors/root.ts';
import { supervisorSpec } from '../../src/supervisors/supervisor.ts';
import { captureLogger, Probes, waitFor } from './support.ts';

test('exitProcess as onFatal: a spent budget at the top exits the process with 1', async () => {
  const codes: number[] = [];
  const { logger, lines } = captureLogger();
  const probes = new Probes();
  const root = await startRoot(supervisorSpec({ name: 'agent-sup', strategy: 'one_for_one', policy: 'va-http-crash', children: [probes.spec('http')] }), {
    logger,
    onFatal: exitProcess(logger, (code) => void codes.push(code)),
    now: () => 0,
  });
  try {
    for (let i = 0; codes.length === 0; i++) {
      const before = probes.incarnation('http');
      probes.crash('http');
      await waitFor(() => probes.incarnation('http') > before || codes.length > 0, `crash ${i} handled`);
    }
    assert.equal(codes, [1]);
    assert.equal(lines.filter((l) => l.level === 60).map((l) => l.msg), ['supervision tree gave up; the process must exit']);
  } finally {
    await root.stop();
  }
});

test('installProcessHandlers: an escaped exception or rejection is logged as fatal and exits 1; removable', () => {
  const codes: number[] = [];
  const { logger, lines } = captureLogger();
  const before = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
  const remove = installProcessHandlers(logger, (code) => void codes.push(code));
  assert.equal([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')], before.map((n) => n + 1));
  try {
    process.emit('uncaughtException', new VaqueroError('VQ_ERR_IO', 'escaped'));
    process.emit('unhandledRejection', new Error('floating promise'), Promise.resolve());
  } finally {
    remove();
  }
  assert.equal(codes, [1, 1]);
  assert.equal(
    lines.filter((l) => l.level === 60).map((l) => [l.msg, (l.err as { message: string }).message]),
    [
      ['uncaught exception; exiting', 'escaped'],
      ['unhandled rejection; exiting', 'floating promise'],
    ],
  );
  assert.equal([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')], before);
});

test.run();
