import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, LensError } from '../../../src/core/errors';
import { reviveError, serializeError } from '../../../src/core/util/workerCall';

// What crosses a worker's boundary for an error must come back as the same kind of error: the CLI
// prints a LensError or a file-system error as one line, a cancel as "stopped", a bug with its stack.
test('errors cross the worker boundary as the same kind: LensError with its file, fs errors, cancels, bugs with their stack', () => {
  const lens = reviveError(serializeError(new LensError('holds no images', '/data/x')));
  assert.ok(lens instanceof LensError);
  assert.equal(lens.message, '/data/x: holds no images');
  assert.equal((lens as LensError).file, '/data/x');
  const fs = Object.assign(new Error("ENOSPC: no space left on device, write '/out/a'"), { code: 'ENOSPC', syscall: 'write', path: '/out/a' });
  const back = reviveError(serializeError(fs)) as NodeJS.ErrnoException;
  assert.deepEqual([back.code, back.syscall, back.path], ['ENOSPC', 'write', '/out/a']);
  assert.ok(reviveError(serializeError(new CancelledError())) instanceof CancelledError);
  const bug = reviveError(serializeError(new TypeError('x is undefined')));
  assert.equal(bug.name, 'TypeError');
  assert.match(bug.message, /x is undefined\n\s+at /, 'a bug keeps its stack for the log');
});
