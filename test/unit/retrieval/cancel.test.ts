import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, isCancelled } from '../../../src/core/errors';
import { scanTopK } from '../../../src/core/retrieval/scan';
import { blobs } from './helpers';

// Ctrl-C during `metrics` once printed "Error: Session already disposed." with onnxruntime's stack:
// the scan stopped (its hook threw) while the next block's session.run was still in flight, and
// released the session under it. The real onnxruntime engine runs here; nothing is mocked.
test('a scan stopped by its hook waits for the block in flight before releasing the session', async () => {
  const n = 6000,
    dim = 32;
  const { data } = blobs(n, dim, 10, 7);
  const stray: unknown[] = [];
  const onStray = (e: unknown) => stray.push(e);
  process.on('unhandledRejection', onStray);
  try {
    for (let round = 0; round < 3; round++) {
      let blocks = 0;
      const hook = () => {
        // Stop after the first block: the second block's product was launched before this hook ran.
        if (++blocks === 1) throw new CancelledError();
      };
      await assert.rejects(
        scanTopK({ queries: data, gallery: data, nGallery: n, dim, selfIndex: null, start: 0, end: n, threads: 1 }, 5, hook),
        (e: unknown) => isCancelled(e),
      );
    }
    // Give a stray rejection (the old bug) every chance to surface.
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(stray.map(String), []);
  } finally {
    process.off('unhandledRejection', onStray);
  }
});
