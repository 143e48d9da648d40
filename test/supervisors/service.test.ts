// Service children: a real UDP echo server on loopback, supervised; its
// `error` event or a crash callback restarts it, a finished transient
// service stays down, a service that cannot bind fails the start.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { isVaqueroError } from '../../src/errors.ts';
import { startRoot } from '../../src/supervisors/root.ts';
import { serviceChild, type Service, type ServiceSignals } from '../../src/supervisors/service.ts';
import { supervisorSpec } from '../../src/supervisors/supervisor.ts';
import { captureLogger, Recorder, waitFor } from './support.ts';

interface Echo extends Service {
  socket: Socket;
  port(): number;
  closed: boolean;
  signals: ServiceSignals;
}

function echoService(signals: ServiceSignals, port = 0): Echo {
  const socket = createSocket('udp4');
  const svc: Echo = {
    socket,
    signals,
    closed: false,
    port: () => socket.address().port,
    start: async () => {
      socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
      socket.bind(port, '127.0.0.1');
      await Promise.race([once(socket, 'listening'), once(socket, 'error').then(([e]) => Promise.reject(e as Error))]);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (svc.closed) return resolve();
        svc.closed = true;
        socket.close(() => resolve());
      }),
    on: (event, listener) => socket.on(event, listener),
  };
  return svc;
}

async function echo(port: number, text: string): Promise<string> {
  const c = createSocket('udp4');
  try {
    c.send(text, port, '127.0.0.1');
    const [msg] = (await Promise.race([
      once(c, 'message'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no echo within 2 s')), 2000).unref()),
    ])) as [Buffer];
    return msg.toString();
  } finally {
    c.close();
  }
}

test("a service whose socket emits 'error' is stopped and replaced by a fresh one that serves", async () => {
  const rec = new Recorder();
  const made: Echo[] = [];
  const spec = supervisorSpec({
    name: 'services-sup',
    strategy: 'one_for_one',
    policy: 'va-tftp-crash',
    children: [rec.wrap(serviceChild({ id: 'tftp', create: (s) => (made.push(echoService(s)), made.at(-1) as Echo) }))],
  });
  const root = await startRoot(spec, { logger: captureLogger().logger, onFatal: () => assert.unreachable('no fatal') });
  try {
    const first = made[0] as Echo;
    assert.is(await echo(first.port(), 'one'), 'one');
    first.socket.emit('error', new Error('EFAKE: socket broke'));
    await waitFor(() => rec.count('tftp') === 2, 'restart');
    await root.status();
    assert.equal(rec.events, ['start:tftp', 'stop:tftp', 'start:tftp']);
    assert.ok(first.closed, 'the broken socket was closed');
    const second = made[1] as Echo;
    assert.is(await echo(second.port(), 'two'), 'two');
    // A late error from the closed socket is ignored (stale incarnation), not a second restart.
    first.socket.emit('error', new Error('late'));
    await root.status();
    assert.is(rec.count('tftp'), 2);
  } finally {
    await root.stop();
  }
  assert.ok(made.every((m) => m.closed));
});

test('a crash reported through the crashed() callback restarts the service too', async () => {
  const rec = new Recorder();
  const made: Echo[] = [];
  const spec = supervisorSpec({
    name: 'services-sup',
    strategy: 'one_for_one',
    policy: 'va-http-crash',
    children: [rec.wrap(serviceChild({ id: 'http', create: (s) => (made.push(echoService(s)), made.at(-1) as Echo) }))],
  });
  const root = await startRoot(spec, { logger: captureLogger().logger, onFatal: () => assert.unreachable('no fatal') });
  try {
    made[0]?.signals.crashed(new Error('handler failed'));
    await waitFor(() => rec.count('http') === 2, 'restart');
    assert.ok(made[0]?.closed);
  } finally {
    await root.stop();
  }
});

test('a transient service that finished is not restarted; one that crashed is', async () => {
  const rec = new Recorder();
  const made: Echo[] = [];
  const spec = supervisorSpec({
    name: 'services-sup',
    strategy: 'one_for_one',
    policy: 'va-dhcp-crash',
    children: [rec.wrap(serviceChild({ id: 'probe', restart: 'transient', create: (s) => (made.push(echoService(s)), made.at(-1) as Echo) }))],
  });
  const root = await startRoot(spec, { logger: captureLogger().logger, onFatal: () => assert.unreachable('no fatal') });
  try {
    made[0]?.signals.crashed(new Error('x'));
    await waitFor(() => rec.count('probe') === 2, 'restart after a crash');
    made[1]?.signals.finished();
    await waitFor(() => made[1]?.closed === true, 'the finished service to be closed');
    assert.equal(await root.status(), [{ id: 'probe', running: false, incarnation: 2 }]);
    assert.is(rec.count('probe'), 2);
  } finally {
    await root.stop();
  }
});

test('a service that cannot bind fails the start with VQ_ERR_CHILD_START and is closed', async () => {
  const holder = createSocket('udp4');
  holder.bind(0, '127.0.0.1');
  await once(holder, 'listening');
  const taken = holder.address().port;
  const made: Echo[] = [];
  try {
    const spec = supervisorSpec({
      name: 'services-sup',
      strategy: 'one_for_one',
      policy: 'va-dhcp-crash',
      children: [serviceChild({ id: 'dhcp', create: (s) => (made.push(echoService(s, taken)), made.at(-1) as Echo) })],
    });
    const err = await startRoot(spec, { logger: captureLogger().logger, onFatal: () => assert.unreachable('no fatal') }).catch((e: unknown) => e);
    assert.ok(isVaqueroError(err) && err.code === 'VQ_ERR_CHILD_START');
    assert.is((err.cause as NodeJS.ErrnoException).code, 'EADDRINUSE');
    assert.ok(made[0]?.closed);
  } finally {
    holder.close();
  }
});

test.run();
