/**
 * Everything about writing an output file the user asked for: one atomic writer (temp file in the
 * same folder, fsync, rename) and one checker run before any work starts, so a run never writes
 * over one of its own inputs, never replaces a folder or a device with a report, and never fails
 * at the very end on a folder that was unwritable from the start.
 */
import { constants, lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { access, chmod, open, rename, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { LensError } from '../errors';
import { isInside, realPathOf, statOrUndefined } from '../util/paths';

/** What a Node file-system error code means to a user, in a few words ("the disk is full"). */
export function fsErrorReason(code: string | undefined, fallback = 'an I/O error'): string {
  switch (code) {
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is exceeded';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or folder';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EISDIR':
      return 'it is a folder';
    case 'EEXIST':
      return 'it already exists';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'EIO':
      return 'an I/O error';
    default:
      return fallback;
  }
}

function codeOf(err: unknown): string | undefined {
  const c = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof c === 'string' ? c : undefined;
}

/** The one-line error for a failed output write; the code is kept so callers can tell a full disk. */
export function writeFailed(file: string, err: unknown): LensError {
  if (err instanceof LensError) return err;
  const code = codeOf(err);
  const why = fsErrorReason(code, (err as Error)?.message ?? String(err));
  return new LensError(`could not be written (${why}); nothing was replaced`, file, code ?? 'E_LENS');
}

/**
 * Writes `data` to `file` so that `file` afterwards holds either its previous content or the whole
 * new one — never a truncated mix: a temp file in the same folder (same file system, so the rename
 * is atomic), fsync, then rename over the target. On any failure (a full disk, a read-only file
 * system, no permission) the temp file is removed and a LensError "<file>: could not be written
 * (<why>); nothing was replaced" is thrown. An existing file's permission bits are kept.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const target = resolve(file);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let mode: number | undefined;
  try {
    mode = (await stat(target)).mode & 0o7777;
  } catch {
    // A new file: the default mode (0666 less the umask).
  }
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  let created = false;
  try {
    fh = await open(tmp, 'wx');
    created = true;
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    if (mode !== undefined) await chmod(tmp, mode);
    await rename(tmp, target);
  } catch (err) {
    await fh?.close().catch(() => undefined);
    if (created) await unlink(tmp).catch(() => undefined);
    throw writeFailed(target, err);
  }
  await syncFolder(dirname(target));
}

/** fsync of the folder makes the rename itself durable; a file system that cannot do it is no error. */
async function syncFolder(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some file systems refuse fsync on a folder; the data itself is already synced.
  }
}

/** Pretty JSON with a trailing newline, written atomically. */
export function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** `undefined` when `file` ends in one of `exts` (".html", ".json", …, any case), else what is wrong. */
export function outputExtensionProblem(file: string, exts: readonly string[]): string | undefined {
  const ext = extname(file).toLowerCase();
  if (exts.includes(ext)) return undefined;
  return `must name a ${exts.join(' or ')} file, got "${basename(file)}"`;
}

/** One file of a run's input: its path and, when it exists, its real path and (dev, ino). */
interface InputIdentity {
  path: string;
  real?: string;
  stats?: Stats;
}

function identify(path: string): InputIdentity {
  const p = resolve(path);
  try {
    return { path: p, real: realpathSync(p), stats: statSync(p) };
  } catch {
    return { path: p };
  }
}

/** True when a and b are the same file: the same real path, or the same (device, inode) — a hard link. */
export function sameFile(a: Stats | undefined, b: Stats | undefined): boolean {
  return !!a && !!b && a.dev === b.dev && a.ino === b.ino;
}

export interface OutputCheck {
  /** The output file (absolute or relative to the cwd). */
  file: string;
  /** Every input of the run: files (compared by real path and dev/ino) and folders (never written inside). */
  inputs: readonly (string | undefined)[];
  /** Shown in messages: "--out", "--json". */
  flag?: string;
}

/**
 * Refuses an output before any work starts: one that is an input of the run (the same real file, or
 * a hard link to it), one inside an input folder (a dataset, a checkpoint folder), one that exists
 * and is not a regular file (a folder, a symlink, a device or FIFO), and one whose folder is
 * missing or not writable. Throws a LensError naming the file and what was expected.
 */
export async function assertOutputFile(check: OutputCheck): Promise<void> {
  const file = resolve(check.file);
  const flag = check.flag ? `${check.flag} ` : '';
  let own: Stats | undefined;
  try {
    own = lstatSync(file);
  } catch (err) {
    if (codeOf(err) !== 'ENOENT')
      throw new LensError(`${flag}cannot be checked (${fsErrorReason(codeOf(err), (err as Error).message)})`, file, codeOf(err));
  }
  const real = realPathOf(file);
  for (const input of check.inputs) {
    if (!input) continue;
    const id = identify(input);
    const isFolder = !!id.stats?.isDirectory();
    if (isFolder) {
      if (isInside(id.real ?? id.path, real)) {
        throw new LensError(
          `${flag}is inside ${id.path}, an input of this run; outputs are never written among the inputs — choose another place`,
          file,
        );
      }
      continue;
    }
    const followed = own?.isSymbolicLink() ? statOrUndefined(file) : own;
    if (real === (id.real ?? id.path) || sameFile(followed, id.stats)) {
      throw new LensError(
        `${flag}is ${id.path === file ? 'an input' : `the same file as ${id.path}`} of this run; an output never replaces an input — choose another file`,
        file,
      );
    }
  }
  if (own) {
    if (own.isSymbolicLink())
      throw new LensError(`${flag}is a symbolic link; name a regular file (the link would be replaced, not its target)`, file);
    if (own.isDirectory()) throw new LensError(`${flag}is a folder; expected a file name`, file);
    if (!own.isFile())
      throw new LensError(`${flag}exists and is not a regular file (a device, FIFO or socket); expected a file name`, file);
    // The rename would replace a read-only file just the same: its mode says it is not to be replaced.
    try {
      await access(file, constants.W_OK);
    } catch (err) {
      throw new LensError(`${flag}is read-only (${fsErrorReason(codeOf(err))}); it is not replaced`, file, codeOf(err));
    }
  }
  await assertWritableFolder(dirname(file), file, flag);
}

/** The folder must exist and be writable (new files can be created in it). */
export async function assertWritableFolder(dir: string, forFile: string = dir, flag = ''): Promise<void> {
  let st: Stats;
  try {
    st = await stat(dir);
  } catch (err) {
    throw new LensError(
      `${flag}cannot be written: its folder ${dir} ${codeOf(err) === 'ENOENT' ? 'does not exist' : `cannot be read (${fsErrorReason(codeOf(err))})`}`,
      forFile,
      codeOf(err),
    );
  }
  if (!st.isDirectory()) throw new LensError(`${flag}cannot be written: ${dir} is not a folder`, forFile, 'ENOTDIR');
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new LensError(
      `${flag}cannot be written: its folder ${dir} is not writable (${fsErrorReason(codeOf(err))})`,
      forFile,
      codeOf(err),
    );
  }
}

/**
 * Proves a folder can take new files by creating, writing, syncing and removing a small temp file
 * in it: a read-only mount, a missing permission or a full disk shows up now, not after an hour.
 */
export async function probeWritable(dir: string, forPath: string = dir, bytes = 64 * 1024): Promise<void> {
  const tmp = join(dir, `.embedding-lens-probe-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  let created = false;
  try {
    fh = await open(tmp, 'wx');
    created = true;
    await fh.writeFile(Buffer.alloc(bytes));
    await fh.sync();
  } catch (err) {
    throw new LensError(
      `cannot be written (${fsErrorReason(codeOf(err), (err as Error).message)}); checked before any work, nothing was written`,
      forPath,
      codeOf(err),
    );
  } finally {
    await fh?.close().catch(() => undefined);
    if (created) await unlink(tmp).catch(() => undefined);
  }
}
