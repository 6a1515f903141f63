import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNpy, encodeNpy, readNpy, writeNpy } from '../../../src/core/io/npy';
import { readLabels } from '../../../src/core/io/labels';
import { LensError } from '../../../src/core/errors';

/** Builds a .npy by hand the way NumPy lays it out, so the reader is checked against the format, not against our writer. */
function handNpy(descr: string, shape: string, payload: Buffer, version = 1, fortran = 'False'): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
  const prefix = version === 1 ? 10 : 12;
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const head = Buffer.alloc(total);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(head);
  if (version === 1) head.writeUInt16LE(total - prefix, 8);
  else head.writeUInt32LE(total - prefix, 8);
  head.write(dict.padEnd(total - prefix - 1, ' ') + '\n', prefix, 'latin1');
  return Buffer.concat([head, payload]);
}

test('npy: float32 round trip keeps shape, dtype and values', () => {
  const data = new Float32Array([1.5, -2, 3.25, 0, 1e-8, 7]);
  const back = parseNpy(encodeNpy(data, [2, 3]));
  assert.deepEqual(back.shape, [2, 3]);
  assert.equal(back.dtype, 'f4');
  assert.deepEqual(Array.from(back.data as Float32Array), Array.from(data));
});

test('npy: int32 round trip of a 1-D array', () => {
  const back = parseNpy(encodeNpy(new Int32Array([3, -1, 7]), [3]));
  assert.deepEqual(back.shape, [3]);
  assert.equal(back.dtype, 'i4');
  assert.deepEqual(Array.from(back.data as Int32Array), [3, -1, 7]);
});

test('npy: header is a multiple of 64 bytes and ends with a newline, as NumPy requires', () => {
  const buf = encodeNpy(new Float32Array(4), [2, 2]);
  const headerLen = buf.readUInt16LE(8);
  assert.equal((10 + headerLen) % 64, 0);
  assert.equal(buf[10 + headerLen - 1], 0x0a);
});

test('npy: reads float64, int64, uint8 and v2 headers', () => {
  const f8 = Buffer.alloc(16);
  f8.writeDoubleLE(0.1, 0);
  f8.writeDoubleLE(-3, 8);
  const a = parseNpy(handNpy('<f8', '(2,)', f8));
  assert.equal(a.dtype, 'f8');
  assert.deepEqual(Array.from(a.data as Float64Array), [0.1, -3]);

  const i8 = Buffer.alloc(16);
  i8.writeBigInt64LE(5n, 0);
  i8.writeBigInt64LE(-9n, 8);
  const b = parseNpy(handNpy('<i8', '(2, 1)', i8, 2));
  assert.equal(b.dtype, 'i8');
  assert.deepEqual(b.shape, [2, 1]);
  assert.deepEqual(Array.from(b.data as BigInt64Array), [5n, -9n]);

  const c = parseNpy(handNpy('|u1', '(3,)', Buffer.from([0, 200, 255])));
  assert.deepEqual(Array.from(c.data as Uint8Array), [0, 200, 255]);
});

test('npy: a 0-d array has empty shape and one value', () => {
  const f4 = Buffer.alloc(4);
  f4.writeFloatLE(2.5, 0);
  const a = parseNpy(handNpy('<f4', '()', f4));
  assert.deepEqual(a.shape, []);
  assert.equal(a.data.length, 1);
});

test('npy: clear errors for bad magic, Fortran order, big-endian, float16 and truncation', () => {
  const cases: [Buffer, RegExp][] = [
    [Buffer.from('hello world, not numpy'), /not a NumPy \.npy file/],
    [handNpy('<f4', '(1,)', Buffer.alloc(4), 1, 'True'), /Fortran-ordered/],
    [handNpy('>f4', '(1,)', Buffer.alloc(4)), /unsupported dtype '>f4'/],
    [handNpy('<f2', '(1,)', Buffer.alloc(2)), /unsupported dtype '<f2'/],
    [handNpy('<f4', '(3, 2)', Buffer.alloc(8)), /truncated data: shape \(3, 2\) of f4 needs 24 bytes, file has 8/],
  ];
  for (const [bytes, re] of cases) {
    assert.throws(
      () => parseNpy(bytes, 'x.npy'),
      (e: unknown) => e instanceof LensError && re.test(e.message) && e.message.startsWith('x.npy: '),
    );
  }
});

test('npy + labels: files on disk (readNpy/writeNpy, .npy/.json/text labels)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lens-npy-'));
  try {
    const e = join(dir, 'e.npy');
    await writeNpy(e, new Float32Array([1, 2, 3, 4]), [2, 2]);
    const r = await readNpy(e);
    assert.deepEqual(r.shape, [2, 2]);

    const ln = join(dir, 'l.npy');
    await writeNpy(ln, new Int32Array([10, 2, 2, 9]), [4]);
    const a = await readLabels(ln);
    assert.deepEqual(a.classNames, ['2', '9', '10']);
    assert.deepEqual(Array.from(a.labels), [2, 0, 0, 1]);

    const lj = join(dir, 'l.json');
    writeFileSync(lj, JSON.stringify(['dog', 'cat', 'dog']));
    const b = await readLabels(lj);
    assert.deepEqual(b.classNames, ['cat', 'dog']);
    assert.deepEqual(Array.from(b.labels), [1, 0, 1]);

    const lt = join(dir, 'l.txt');
    writeFileSync(lt, '3\r\n1\n3\n');
    const c = await readLabels(lt);
    assert.deepEqual(c.classNames, ['1', '3']);
    assert.deepEqual(Array.from(c.labels), [1, 0, 1]);

    const bad: [string, string, RegExp][] = [
      ['b1.json', '{"a":1}', /expected a JSON array/],
      ['b2.json', '[1, 2.5]', /label 1 is 2\.5; numeric labels must be integers/],
      ['b3.json', '[1, "a"]', /mix numbers and strings/],
      ['b4.txt', 'a\n\nb\n', /line 2 is empty/],
    ];
    for (const [name, text, re] of bad) {
      writeFileSync(join(dir, name), text);
      await assert.rejects(
        readLabels(join(dir, name)),
        (err: unknown) => err instanceof LensError && re.test(err.message) && err.message.includes(name),
      );
    }
    const lf = join(dir, 'f.npy');
    await writeNpy(lf, new Float32Array([1, 2]), [2]);
    await assert.rejects(readLabels(lf), /labels must be integers/);
    await assert.rejects(readNpy(join(dir, 'missing.npy')), /missing\.npy: cannot be read \(ENOENT\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
