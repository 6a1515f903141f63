import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../../src/core/dataset';
import { parseDelimitedRecords } from '../../../src/core/dataset/manifest';
import { dropDuplicateRows } from '../../../src/core/dataset/duplicates';
import { readImageFile } from '../../../src/core/dataset/regularFile';
import { NotRegularFileError } from '../../../src/core/io/safeFile';
import { tmp } from '../embed/helpers/make';

const touch = (file: string, text = 'x') => {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
};

test('CSV records carry the line they start on; an unclosed quote names the line that opened it', () => {
  const recs = parseDelimitedRecords('path,label\n"a\nb",x\nc,y\n', ',');
  assert.deepEqual(
    recs.map((r) => r.line),
    [1, 2, 4],
  );
  assert.deepEqual(recs[1].fields, ['a\nb', 'x']);
  assert.throws(() => parseDelimitedRecords('path,label\na.png,x\n"b.png,y\nc.png,z\n', ',', 'm.csv'), /m\.csv: line 3 opens a quote/);
  // A quote inside a field (not at its start) is a literal character, as before.
  assert.deepEqual(parseDelimitedRecords('a"b,c\n', ',')[0].fields, ['a"b', 'c']);
});

test('duplicate rows: exact repeats dropped with a note; one path under two labels or splits is an error naming both lines', () => {
  const row = (path: string, label: string, line: number, split?: string) => ({ path, label, line, split, file: '/d/m.csv' });
  const r = dropDuplicateRows([row('/d/a.png', 'x', 2), row('/d/b.png', 'y', 3), row('/d/a.png', 'x', 4)]);
  assert.deepEqual(
    r.rows.map((x) => x.line),
    [2, 3],
  );
  assert.match(r.notes[0], /1 duplicate row\(s\) dropped.*line 4 repeats line 2/);
  assert.throws(
    () => dropDuplicateRows([row('/d/a.png', 'x', 2), row('/d/a.png', 'y', 9)]),
    /lists a\.png twice with different labels: "x" on line 2 and "y" on line 9/,
  );
  assert.throws(
    () => dropDuplicateRows([row('/d/a.png', 'x', 2, 'train'), row('/d/a.png', 'x', 5, 'test')]),
    /in two splits: "train" on line 2 and "test" on line 5/,
  );
});

test('manifests: duplicates dropped through loadDataset, missing-value labels refused with the line', async () => {
  const dir = tmp();
  for (const f of ['a/1.png', 'a/2.png', 'b/1.png']) touch(join(dir, f));
  writeFileSync(join(dir, 'm.csv'), 'path,label\na/1.png,a\na/2.png,a\nb/1.png,b\n./a/1.png,a\n');
  const ds = await loadDataset(join(dir, 'm.csv'));
  assert.equal(ds.items.length, 3);
  assert.ok(ds.notes.some((n) => /1 duplicate row/.test(n)));
  writeFileSync(join(dir, 'n.csv'), 'path,label\na/1.png,a\nb/1.png,NaN\n');
  await assert.rejects(loadDataset(join(dir, 'n.csv')), /n\.csv: line 3 has the label "NaN", a missing value/);
  writeFileSync(join(dir, 'n.jsonl'), '{"path":"a/1.png","label":"a"}\n{"path":"b/1.png","label":"null"}\n');
  await assert.rejects(loadDataset(join(dir, 'n.jsonl')), /line 2 has the label "null"/);
});

test('image folders: each real file and folder once, loops end, links out of the dataset and non-regular files noted', async () => {
  const dir = tmp();
  const root = join(dir, 'ds');
  for (const f of ['a/1.png', 'a/2.png', 'b/1.png', 'b/2.png']) touch(join(root, f));
  touch(join(dir, 'outside/o.png'));
  symlinkSync('a', join(root, 'c')); // a second name for class a
  symlinkSync('..', join(root, 'b', 'up')); // a loop back to the root
  symlinkSync(join(root, 'a', '1.png'), join(root, 'b', 'again.png')); // a's image linked into b
  symlinkSync(join(dir, 'outside'), join(root, 'd')); // a class from outside the dataset
  symlinkSync('self.png', join(root, 'b', 'self.png')); // ELOOP
  assert.equal(spawnSync('mkfifo', [join(root, 'a', 'pipe.png')]).status, 0);
  const ds = await loadDataset(root);
  assert.deepEqual(ds.classNames, ['a', 'b', 'd']);
  assert.deepEqual(ds.items.map((it) => it.path.slice(root.length + 1)).sort(), ['a/1.png', 'a/2.png', 'b/1.png', 'b/2.png', 'd/o.png']);
  const notes = ds.notes.join('\n');
  assert.match(notes, /1 image\(s\) reached a second time through a symlink counted once/);
  assert.match(notes, /2 folder\(s\) reached a second time/);
  assert.match(notes, /1 symlink\(s\) lead outside/);
  assert.match(notes, /1 broken or looping symlink/);
  assert.match(notes, /1 entr\(ies\) named like images that are not regular files/);
});

test('readImageFile reads files and refuses FIFOs, devices and folders at once', async () => {
  const dir = tmp();
  touch(join(dir, 'a.png'), 'hello');
  assert.equal((await readImageFile(join(dir, 'a.png'))).toString(), 'hello');
  assert.equal(spawnSync('mkfifo', [join(dir, 'p')]).status, 0);
  await assert.rejects(readImageFile(join(dir, 'p')), (e: Error) => e instanceof NotRegularFileError && /a FIFO/.test(e.message));
  await assert.rejects(readImageFile('/dev/zero'), /not a regular file \(a device file\)/);
  await assert.rejects(readImageFile(dir), /not a regular file \(a folder\)/);
  await assert.rejects(readImageFile(join(dir, 'a.png'), 2), /not read/);
});
