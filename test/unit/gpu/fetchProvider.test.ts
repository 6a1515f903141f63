// The GPU runtime fetcher against a loopback HTTP server (node:http on 127.0.0.1:0) serving
// fixture tarballs made here: nothing leaves this machine. The pinned package is injected (the
// real one names registry.npmjs.org and hashes of a 171 MiB file).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { installProvider } from '../../../src/core/gpu/fetchProvider';
import { installedRuntime, MANIFEST } from '../../../src/core/gpu/runtimeDir';
import type { PinnedPackage } from '../../../src/core/gpu/pinned';
import { LensError, CancelledError } from '../../../src/core/errors';
import { tmp } from '../embed/helpers/make';

const sha512hex = (b: Buffer) => createHash('sha512').update(b).digest('hex');

/** A .tgz laid out like the npm package (package/Plugins/Linux/x64/…) with two "libraries" and a decoy. */
function makeTarball(dir: string): { tgz: Buffer; cuda: Buffer; shared: Buffer } {
  const src = join(dir, 'src');
  const lib = join(src, 'package/Plugins/Linux/x64');
  mkdirSync(lib, { recursive: true });
  // Sizes not multiples of 512, so the padding between tar entries is exercised.
  const cuda = Buffer.from(Array.from({ length: 200_001 }, (_, i) => (i * 31 + 7) % 256));
  const shared = Buffer.from('shared provider bridge '.repeat(41));
  writeFileSync(join(lib, 'libonnxruntime_providers_cuda.so'), cuda);
  writeFileSync(join(lib, 'libonnxruntime_providers_shared.so'), shared);
  writeFileSync(join(lib, 'libonnxruntime_providers_tensorrt.so'), Buffer.alloc(3000, 1));
  writeFileSync(join(src, 'package/package.json'), '{"name":"fixture"}');
  const tgzFile = join(dir, 'fixture.tgz');
  execFileSync('tar', ['czf', tgzFile, '-C', src, 'package']);
  return { tgz: readFileSync(tgzFile), cuda, shared };
}

function pinnedFor(url: string, tgz: Buffer, cuda: Buffer, shared: Buffer): PinnedPackage {
  return {
    description: 'fixture',
    url,
    size: tgz.length,
    integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`,
    files: [
      {
        pathInArchive: 'package/Plugins/Linux/x64/libonnxruntime_providers_shared.so',
        name: 'libonnxruntime_providers_shared.so',
        size: shared.length,
        sha512: sha512hex(shared),
      },
      {
        pathInArchive: 'package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so',
        name: 'libonnxruntime_providers_cuda.so',
        size: cuda.length,
        sha512: sha512hex(cuda),
      },
    ],
  };
}

const work = tmp('lens-gpu-fetch-');
const fx = makeTarball(work);
// Stand-ins for the bundled addon and runtime that are copied beside the provider.
const ortBin = join(work, 'ort-bin');
mkdirSync(ortBin);
writeFileSync(join(ortBin, 'onnxruntime_binding.node'), 'addon');
writeFileSync(join(ortBin, 'libonnxruntime.so.1'), 'runtime');

let requests = 0;
const server: Server = createServer((req, res) => {
  requests++;
  const path = req.url ?? '';
  if (path === '/ok.tgz') {
    res.writeHead(200, { 'content-length': fx.tgz.length });
    res.end(fx.tgz);
  } else if (path === '/moved.tgz') {
    res.writeHead(302, { location: '/ok.tgz' });
    res.end();
  } else if (path === '/truncated.tgz') {
    // Announces the whole size, sends half, then drops the connection.
    res.writeHead(200, { 'content-length': fx.tgz.length });
    res.write(fx.tgz.subarray(0, fx.tgz.length >> 1), () => res.destroy());
  } else if (path === '/slow.tgz') {
    res.writeHead(200, { 'content-length': fx.tgz.length });
    res.write(fx.tgz.subarray(0, 1000));
    // …and never more: the test cancels.
  } else {
    res.writeHead(404);
    res.end('not found');
  }
});
const ready = new Promise<string>((resolve) =>
  server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
);
after(() => {
  server.closeAllConnections();
  server.close();
  rmSync(work, { recursive: true, force: true });
});

const rejectsWith = async (p: Promise<unknown>, code: string, text: RegExp) => {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof LensError, `expected a LensError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, text);
    return true;
  });
};

test('right hashes: only the pinned libraries land in <root>/<version>, beside the addon and runtime copies; a second call downloads nothing', async () => {
  const base = await ready;
  const root = join(work, 'ok');
  const pinned = pinnedFor(`${base}/moved.tgz`, fx.tgz, fx.cuda, fx.shared); // through a redirect
  const stages = new Set<string>();
  let maxDone = 0;
  const r = await installProvider({
    root,
    pinned,
    version: '9.9.9',
    ortBinDir: ortBin,
    onProgress: (p) => {
      stages.add(p.stage);
      if (p.stage === 'download') maxDone = Math.max(maxDone, p.done);
    },
  });
  assert.equal(r.dir, join(root, '9.9.9'));
  assert.equal(r.downloaded, true);
  assert.deepEqual(
    readdirSync(r.dir).sort(),
    [
      MANIFEST,
      'libonnxruntime.so.1',
      'libonnxruntime_providers_cuda.so',
      'libonnxruntime_providers_shared.so',
      'onnxruntime_binding.node',
    ].sort(),
  );
  assert.deepEqual(readFileSync(join(r.dir, 'libonnxruntime_providers_cuda.so')), fx.cuda);
  assert.deepEqual(readFileSync(join(r.dir, 'libonnxruntime_providers_shared.so')), fx.shared);
  assert.equal(readFileSync(join(r.dir, 'libonnxruntime.so.1'), 'utf8'), 'runtime');
  assert.deepEqual([...stages].sort(), ['download', 'extract']);
  assert.equal(maxDone, fx.tgz.length);
  // No temp folder or tarball is left beside it.
  assert.deepEqual(readdirSync(root), ['9.9.9']);
  assert.equal(installedRuntime(root, '9.9.9', pinned), true);

  const before = requests;
  const again = await installProvider({ root, pinned, version: '9.9.9', ortBinDir: ortBin });
  assert.equal(again.downloaded, false);
  assert.equal(requests, before, 'once per version: a complete folder is not fetched again');
});

test('wrong tarball hash: refused with E_GPU_HASH, nothing is kept', async () => {
  const base = await ready;
  const root = join(work, 'badhash');
  const pinned = {
    ...pinnedFor(`${base}/ok.tgz`, fx.tgz, fx.cuda, fx.shared),
    integrity: `sha512-${createHash('sha512').update('something else').digest('base64')}`,
  };
  await rejectsWith(installProvider({ root, pinned, version: '1.0.0', ortBinDir: ortBin }), 'E_GPU_HASH', /does not match the pinned/);
  assert.deepEqual(readdirSync(root), []);
  assert.notEqual(installedRuntime(root, '1.0.0', pinned), true);
});

test('a library inside the tarball with another hash than pinned: refused, nothing kept', async () => {
  const base = await ready;
  const root = join(work, 'badfile');
  const pinned = pinnedFor(`${base}/ok.tgz`, fx.tgz, fx.cuda, fx.shared);
  pinned.files[1] = { ...pinned.files[1], sha512: sha512hex(Buffer.from('not the provider')) };
  await rejectsWith(
    installProvider({ root, pinned, version: '1.0.0', ortBinDir: ortBin }),
    'E_GPU_HASH',
    /libonnxruntime_providers_cuda\.so has SHA-512/,
  );
  assert.deepEqual(readdirSync(root), []);
});

test('a server announcing another size is refused before the body is read', async () => {
  const base = await ready;
  const root = join(work, 'size');
  const pinned = { ...pinnedFor(`${base}/ok.tgz`, fx.tgz, fx.cuda, fx.shared), size: fx.tgz.length + 1 };
  await rejectsWith(
    installProvider({ root, pinned, version: '1.0.0', ortBinDir: ortBin }),
    'E_GPU_HASH',
    /announces .* refusing a different file/,
  );
  assert.deepEqual(readdirSync(root), []);
});

test('truncated download: E_GPU_TRUNCATED naming how much arrived, nothing kept', async () => {
  const base = await ready;
  const root = join(work, 'trunc');
  const pinned = pinnedFor(`${base}/truncated.tgz`, fx.tgz, fx.cuda, fx.shared);
  await rejectsWith(installProvider({ root, pinned, version: '1.0.0', ortBinDir: ortBin }), 'E_GPU_TRUNCATED', /broke off|truncated/);
  assert.deepEqual(readdirSync(root), []);
});

test('404: a LensError naming the URL and the status', async () => {
  const base = await ready;
  const root = join(work, 'missing');
  const pinned = pinnedFor(`${base}/gone.tgz`, fx.tgz, fx.cuda, fx.shared);
  await rejectsWith(
    installProvider({ root, pinned, version: '1.0.0', ortBinDir: ortBin }),
    'E_GPU_DOWNLOAD',
    /gone\.tgz: the server answered HTTP 404/,
  );
  assert.deepEqual(readdirSync(root), []);
});

test('cancelled mid-download: CancelledError, no folder and no partial file left', async () => {
  const base = await ready;
  const root = join(work, 'cancel');
  const pinned = pinnedFor(`${base}/slow.tgz`, fx.tgz, fx.cuda, fx.shared);
  const ctl = new AbortController();
  const p = installProvider({
    root,
    pinned,
    version: '1.0.0',
    ortBinDir: ortBin,
    signal: ctl.signal,
    onProgress: (x) => {
      if (x.done >= 1000) ctl.abort();
    },
  });
  await assert.rejects(p, (e: unknown) => e instanceof CancelledError);
  assert.deepEqual(readdirSync(root), []);
});

test('a folder of that name holding something Enable GPU did not write is left alone', async () => {
  const base = await ready;
  const root = join(work, 'users');
  mkdirSync(join(root, '1.0.0'), { recursive: true });
  writeFileSync(join(root, '1.0.0', 'notes.txt'), 'mine');
  const pinned = pinnedFor(`${base}/ok.tgz`, fx.tgz, fx.cuda, fx.shared);
  await assert.rejects(installProvider({ root, pinned, version: '1.0.0', ortBinDir: ortBin }), /notes\.txt/);
  assert.equal(readFileSync(join(root, '1.0.0', 'notes.txt'), 'utf8'), 'mine');
  assert.ok(!existsSync(join(root, '1.0.0', MANIFEST)));
});

test('offline: a local copy of the package is checked the same way and installed; a wrong copy is refused and kept', async () => {
  const base = await ready;
  const pinned = pinnedFor(`${base}/never-asked.tgz`, fx.tgz, fx.cuda, fx.shared);
  const local = join(work, 'copy.tgz');
  writeFileSync(local, fx.tgz);
  const before = requests;
  const r = await installProvider({ root: join(work, 'offline'), pinned, version: '2.0.0', ortBinDir: ortBin, from: local });
  assert.equal(r.downloaded, true);
  assert.equal(requests, before, 'nothing downloaded');
  assert.deepEqual(readFileSync(join(r.dir, 'libonnxruntime_providers_cuda.so')), fx.cuda);
  assert.ok(existsSync(local), "the user's file stays where it is");
  const wrong = join(work, 'wrong.tgz');
  const flipped = Buffer.from(fx.tgz);
  flipped[flipped.length >> 1] ^= 0xff;
  writeFileSync(wrong, flipped);
  await rejectsWith(
    installProvider({ root: join(work, 'offline2'), pinned, version: '2.0.0', ortBinDir: ortBin, from: wrong }),
    'E_GPU_HASH',
    /wrong\.tgz: has SHA-512/,
  );
  assert.ok(existsSync(wrong));
  assert.deepEqual(readdirSync(join(work, 'offline2')), []);
});
