import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeEmbeddings } from '../../../src/core/embed';
import { embedPatchExtras } from '../../../src/core/inspect/toProtocol';
import { encodeNpy } from '../../../src/core/io/npy';

test("the header lists each note once: a precomputed run's labels note is not repeated", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lens-notes-'));
  const vectors = Float32Array.from({ length: 12 * 4 }, (_, i) => Math.sin(i) + (i % 4 === Math.floor(i / 4) % 3 ? 2 : 0));
  writeFileSync(join(dir, 'E.npy'), encodeNpy(vectors, [12, 4]));
  writeFileSync(join(dir, 'labels.json'), JSON.stringify(Array.from({ length: 12 }, (_, i) => `c${i % 3}`)));
  const run = await computeEmbeddings(join(dir, 'E.npy'), join(dir, 'labels.json'));
  const notes = embedPatchExtras(run).notes!;
  assert.equal(notes.filter((n) => n.startsWith('labels from')).length, 1, notes.join('\n'));
  assert.equal(new Set(notes).size, notes.length, notes.join('\n'));
});
