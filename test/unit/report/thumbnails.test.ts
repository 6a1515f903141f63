import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { thumbnailDataUris } from '../../../src/core/report/thumbnails';
import { tmp, writeImage } from '../embed/helpers/make';

test('thumbnails: files outside the dataset (../ or a symlink) are not inlined, and a note says how many; FIFOs are skipped', async () => {
  const dir = tmp();
  mkdirSync(join(dir, 'ds', 'a'), { recursive: true });
  await writeImage(join(dir, 'ds', 'a', '1.png'), 8, 8, 1);
  await writeImage(join(dir, 'private.png'), 8, 8, 2);
  symlinkSync(join(dir, 'private.png'), join(dir, 'ds', 'a', 'link.png'));
  assert.equal(spawnSync('mkfifo', [join(dir, 'ds', 'a', 'pipe.png')]).status, 0);
  const paths = [
    join(dir, 'ds', 'a', '1.png'),
    join(dir, 'ds', '..', 'private.png'),
    join(dir, 'ds', 'a', 'link.png'),
    join(dir, 'ds', 'a', 'pipe.png'),
  ];
  const notes: string[] = [];
  const uris = await thumbnailDataUris(paths, { root: join(dir, 'ds'), onNote: (n) => notes.push(n) });
  assert.match(uris[0], /^data:image\/jpeg;base64,/);
  assert.deepEqual(uris.slice(1), ['', '', '']);
  assert.equal(notes.length, 1);
  assert.match(notes[0], /2 thumbnail\(s\) left out of the report: the file lies outside the dataset/);
  // Without a root (the panel's own use) every readable file is inlined, as before.
  const all = await thumbnailDataUris(paths.slice(0, 3));
  assert.ok(all.every((u) => u.startsWith('data:image/jpeg')));
});
