/** Path relations used wherever a file must (or must not) lie inside a folder. */
import { realpathSync } from 'node:fs';
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
