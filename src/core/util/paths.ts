/** Path relations used wherever a file must (or must not) lie inside a folder. */
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';

/**
 * True when `child` is `folder` itself or lies below it. Both must be absolute and normalised (or
 * both real paths); a path on another drive comes back from relative() absolute, so it is outside.
 */
export function isInside(folder: string, child: string): boolean {
  const rel = relative(folder, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${'/'}`) && !rel.startsWith('..\\') && !isAbsolute(rel));
}

/** The real path of `p` even when it does not exist yet: its nearest existing ancestor, resolved, plus the rest. */
export function realPathOf(p: string): string {
  const abs = resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return join(realpathSync(cur), ...rest.reverse());
    } catch {
      const up = dirname(cur);
      if (up === cur) return abs;
      rest.push(basename(cur));
      cur = up;
    }
  }
}

/** The path's own stats (a symlink is not followed), or undefined when there is nothing there. */
export function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/** The stats of what the path leads to (symlinks followed), or undefined when it cannot be reached. */
export function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}
