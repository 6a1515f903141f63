// Checks shared by the hostile-input host tests: the user's files come out byte-identical, the
// extension host logged no unhandled error, and the host still answers commands afterwards.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, constants, lstatSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { InspectionRun } from '../../../../src/core/inspect/pipeline';
import { extensionHostLog } from './extension';
import { writeEmbeddings } from './workspace';

/**
 * Every entry under `dir` (itself included, as ''): its type, permission bits, and the sha256 of
 * a regular file's bytes or a symlink's target. Only regular files are read — a FIFO or device
 * planted in a fixture must never be opened by the check itself.
 */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string, rel: string) => {
    const st = lstatSync(p);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out[rel] = `link ${mode} → ${readlinkSync(p)}`;
    else if (st.isFile()) out[rel] = `file ${mode} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    else if (st.isDirectory()) {
      out[rel] = `dir ${mode}`;
      for (const name of readdirSync(p).sort()) walk(join(p, name), rel ? `${rel}/${name}` : name);
    } else out[rel] = `${st.isFIFO() ? 'fifo' : 'special'} ${mode}`;
  };
  walk(dir, '');
  return out;
}

// What the extension host log shows when a promise rejects with nobody listening or an error
// escapes a callback: VS Code logs it through onUnexpectedError as an "[error] Error: <message>"
// line about a second later (seen with a deliberate unhandled rejection in code-server 4.139; the
// "rejected promise not handled within 1 second" text goes to the browser console only). Nothing
// else in a clean run logs at error level there. (Mocha's own unhandledRejection handler also
// fails the test that is running when one happens, so a self-test of this check cannot live in
// the suite.)
const UNHANDLED = /\[error\]|rejected promise not handled|uncaught/i;

/** How many unhandled-error lines the extension host log holds now; pass it to assertNoUnhandledErrors. */
export function hostLogMark(): number {
  return unhandledLines().length;
}

function unhandledLines(): string[] {
  return extensionHostLog()
    .split('\n')
    .filter((l) => UNHANDLED.test(l));
}

/**
 * No unhandled error since `mark`. VS Code reports an unhandled rejection only after it stayed
 * unhandled for 1 s, and its log is written asynchronously, hence the wait.
 */
export async function assertNoUnhandledErrors(mark: number): Promise<void> {
  await new Promise((r) => setTimeout(r, 2000));
  const lines = unhandledLines().slice(mark);
  assert.deepEqual(lines, [], 'the extension host logged an unhandled error');
}

let precomputed: string | undefined;

/**
 * The host is alive and answers: a round trip through the workbench comes back within 5 s, and a
 * real command — Inspect Embeddings on a tiny precomputed .npy — completes within `timeoutMs`.
 */
export async function assertResponsive(timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  const commands = await vscode.commands.getCommands(true);
  assert.ok(commands.includes('embeddingLens.inspect'), "the extension's commands are registered");
  assert.ok(Date.now() - t0 < 5_000, `a command round trip took ${Date.now() - t0} ms`);
  precomputed ??= writeEmbeddings('hostile/responsive/tiny', { classes: 3, perClass: 4, dim: 6 });
  const run = await within(
    timeoutMs / 1000,
    'Inspect Embeddings on a tiny precomputed .npy',
    vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(precomputed), {
      dataset: precomputed.replace(/\.npy$/, '.labels.json'),
    }),
  );
  assert.ok(run && !run.cancelled, 'Inspect Embeddings on a tiny precomputed .npy still works');
  assert.equal(run.data.items?.n, 12);
}

/**
 * Runs `command` and fails when it has not settled within `seconds` — the hostile inputs must fail
 * fast; waiting for mocha's suite timeout would hide which input hung.
 */
export async function within<T>(seconds: number, what: string, command: Thenable<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve(command),
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${seconds} s`)), seconds * 1000)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A named pipe at `path` (no writer: whoever opens it for reading blocks until one comes). */
export function makeFifo(path: string): void {
  const made = spawnSync('mkfifo', [path], { encoding: 'utf8' });
  assert.equal(made.status, 0, `mkfifo ${path}: ${made.stderr}`);
}

/**
 * Hands end-of-file to anyone blocked reading the FIFO at `path` — a writer that opens and closes
 * it — so a product that wrongly opened it cannot hang the tests after this one. Without a reader
 * the open fails with ENXIO, which is the case the tests want.
 */
export function releaseFifo(path: string): void {
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // ENXIO: nobody is reading it.
  }
}
