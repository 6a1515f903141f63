import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, LensError } from '../../../src/core/errors';
import { join } from 'node:path';
import { openWorker, reviveError, serializeError } from '../../../src/core/util/workerCall';
import type { openCounter } from './fixtures/counterWorker';

// What crosses a worker's boundary for an error must come back as the same kind of error: the CLI
// prints a LensError or a file-system error as one line, a cancel as "stopped", a bug with its stack.
test('errors cross the worker boundary as the same kind: LensError with its file, fs errors, cancels, bugs with their stack', () => {
  const lens = reviveError(serializeError(new LensError('holds no images', '/data/x')));
  assert.ok(lens instanceof LensError);
  assert.equal(lens.message, '/data/x: holds no images');
  assert.equal((lens as LensError).file, '/data/x');
  const fs = Object.assign(new Error("ENOSPC: no space left on device, write '/out/a'"), {
    code: 'ENOSPC',
    syscall: 'write',
    path: '/out/a',
  });
  const back = reviveError(serializeError(fs)) as NodeJS.ErrnoException;
  assert.deepEqual([back.code, back.syscall, back.path], ['ENOSPC', 'write', '/out/a']);
  assert.ok(reviveError(serializeError(new CancelledError())) instanceof CancelledError);
  const bug = reviveError(serializeError(new TypeError('x is undefined')));
  assert.equal(bug.name, 'TypeError');
  assert.match(bug.message, /x is undefined\n\s+at /, 'a bug keeps its stack for the log');
});

const counter = join(__dirname, 'fixtures', 'counterWorker.ts');
const flag = () => new Int32Array(new SharedArrayBuffer(4));

test('a session worker keeps its state between calls, typed by its methods, in the order they were sent', async () => {
  const w = await openWorker<typeof openCounter>(counter, { start: 5, disposed: flag() });
  try {
    // The slow call was sent first, so it runs first even though the second is quicker.
    assert.deepEqual(await Promise.all([w.call('slowAdd', 1), w.call('add', 10)]), [6, 16]);
    const buf = await w.call('filled', 3);
    assert.ok(buf instanceof Float32Array);
    assert.deepEqual([...buf], [16, 16, 16]);
  } finally {
    await w.terminate();
  }
});

test('a failing call rejects with its error and the session goes on; a failing opening rejects the open', async () => {
  const w = await openWorker<typeof openCounter>(counter, { start: 0, disposed: flag() });
  try {
    await assert.rejects(w.call('fail'), (e: unknown) => e instanceof LensError && e.message === '/data/y: bad call');
    assert.equal(await w.call('add', 2), 2);
  } finally {
    await w.terminate();
  }
  await assert.rejects(
    openWorker<typeof openCounter>(counter, { start: 0, failOpen: true, disposed: flag() }),
    (e: unknown) => e instanceof LensError && (e as LensError).file === '/data/x',
  );
});

test("closing runs the worker's dispose; a thread that exits fails its pending and later calls", async () => {
  const disposed = flag();
  const w = await openWorker<typeof openCounter>(counter, { start: 0, disposed });
  w.close();
  for (let i = 0; i < 100 && Atomics.load(disposed, 0) === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(Atomics.load(disposed, 0), 1);

  const c = await openWorker<typeof openCounter>(counter, { start: 0, disposed: flag() });
  await assert.rejects(c.call('crash'), /exited \(code 3\)/);
  await assert.rejects(c.call('add', 1), /exited \(code 3\)/);
});
