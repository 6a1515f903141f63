import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { assertOutputFile, outputExtensionProblem, probeWritable, writeFileAtomic } from '../../../src/core/io/outputs';
import { LensError } from '../../../src/core/errors';
import { errorLine } from '../../../src/cli';
import { csvField } from '../../../src/core/compare/export';

const root = mkdtempSync(join(tmpdir(), 'lens-outputs-'));
after(() => rmSync(root, { recursive: true, force: true }));

const isRoot = process.getuid?.() === 0;

test('writeFileAtomic: replaces the whole file, keeps its mode, leaves no temp file', async () => {
  const dir = join(root, 'atomic');
  mkdirSync(dir);
  const file = join(dir, 'out.json');
  writeFileSync(file, 'old');
  chmodSync(file, 0o640);
  await writeFileAtomic(file, '{"new": true}\n');
  assert.equal(readFileSync(file, 'utf8'), '{"new": true}\n');
  assert.equal(statSync(file).mode & 0o777, 0o640);
  await writeFileAtomic(join(dir, 'bytes.bin'), new Uint8Array([1, 2, 3]));
  assert.deepEqual([...readFileSync(join(dir, 'bytes.bin'))], [1, 2, 3]);
  assert.deepEqual(readdirSync(dir).sort(), ['bytes.bin', 'out.json']);
});

test(
  'writeFileAtomic: on a full disk the previous file stays, the temp is removed, one clear message',
  { skip: !isRoot && 'mounting a tmpfs needs root' },
  async () => {
    const mnt = join(root, 'full');
    mkdirSync(mnt);
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    if (r.status !== 0) return; // No mount in this container: the hostile tier covers it where it can.
    try {
      const file = join(mnt, 'prev.npy');
      writeFileSync(file, 'previous');
      try {
        for (let i = 0; ; i++) writeFileSync(join(mnt, `fill-${i}`), Buffer.alloc(4096));
      } catch {
        // Full.
      }
      await assert.rejects(writeFileAtomic(file, Buffer.alloc(200_000)), (err: unknown) => {
        assert.ok(err instanceof LensError);
        assert.equal(err.message, `${file}: could not be written (the disk is full); nothing was replaced`);
        assert.equal(err.code, 'ENOSPC');
        return true;
      });
      assert.equal(readFileSync(file, 'utf8'), 'previous');
      assert.deepEqual(
        readdirSync(mnt).filter((n) => n.endsWith('.tmp')),
        [],
      );
      await assert.rejects(probeWritable(mnt, join(mnt, 'out')), /out: cannot be written \(the disk is full\)/);
    } finally {
      spawnSync('umount', [mnt]);
    }
  },
);

test('outputExtensionProblem: the right extension, any case', () => {
  assert.equal(outputExtensionProblem('a/report.HTML', ['.html']), undefined);
  assert.equal(outputExtensionProblem('cnn.onnx', ['.html']), 'must name a .html file, got "cnn.onnx"');
  assert.match(outputExtensionProblem('x', ['.json'])!, /\.json/);
});

test('assertOutputFile: refuses inputs (path, symlink, hard link), folders, devices, missing or unwritable folders', async () => {
  const dir = join(root, 'check');
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'labels.json'), '[]');
  const inputs = [join(dir, 'labels.json'), join(dir, 'data')];
  const refuses = (file: string, re: RegExp) =>
    assert.rejects(assertOutputFile({ file, inputs, flag: '--out' }), (err: unknown) => err instanceof LensError && re.test(err.message));

  await refuses(join(dir, 'labels.json'), /labels\.json: --out is an input of this run/);
  linkSync(join(dir, 'labels.json'), join(dir, 'hard.json'));
  await refuses(join(dir, 'hard.json'), /--out is the same file as .*labels\.json/);
  symlinkSync('labels.json', join(dir, 'soft.json'));
  await refuses(join(dir, 'soft.json'), /--out is the same file as .*labels\.json/);
  symlinkSync('elsewhere.json', join(dir, 'dangling.json'));
  await refuses(join(dir, 'dangling.json'), /is a symbolic link/);
  await refuses(join(dir, 'data', 'report.html'), /is inside .*data, an input of this run/);
  mkdirSync(join(dir, 'folder.json'));
  await refuses(join(dir, 'folder.json'), /--out is a folder/);
  spawnSync('mkfifo', [join(dir, 'fifo.json')]);
  await refuses(join(dir, 'fifo.json'), /not a regular file/);
  await refuses(join(dir, 'missing', 'x.json'), /its folder .*missing does not exist/);
  writeFileSync(join(dir, 'afile'), '');
  await refuses(join(dir, 'afile', 'x.json'), /afile is not a folder|does not exist|not a folder/);
  // A new file beside the inputs, or an existing regular file that is no input: fine.
  await assertOutputFile({ file: join(dir, 'new.json'), inputs, flag: '--out' });
  writeFileSync(join(dir, 'old.json'), '{}');
  await assertOutputFile({ file: join(dir, 'old.json'), inputs, flag: '--out' });
});

test('errorLine: a Node file-system error is one line with path and code; a bug keeps its stack', () => {
  const sys = Object.assign(new Error("EACCES: permission denied, open '/x/y.json'"), {
    code: 'EACCES',
    syscall: 'open',
    path: '/x/y.json',
  });
  assert.equal(errorLine(sys), '/x/y.json: permission denied (EACCES)');
  const bug = new TypeError('x is not a function');
  assert.match(errorLine(bug), /TypeError: x is not a function\n\s+at /);
  assert.equal(errorLine(new LensError('bad', '/f')), '/f: bad');
});

test('csvField: formula-like text gets a leading quote (OWASP); numbers stay numbers', () => {
  assert.equal(csvField('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  assert.equal(csvField('+1'), "'+1");
  assert.equal(csvField('-cmd'), "'-cmd");
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvField('\tx'), "'\tx");
  assert.equal(csvField('\rx'), `"'\rx"`);
  assert.equal(csvField(-0.25), '-0.25');
  assert.equal(csvField('plain'), 'plain');
});
