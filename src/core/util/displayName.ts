/**
 * How a checkpoint or dataset path is named to the user (titles, tabs, headers, reports, errors).
 * One place, because the rule ("model.json" alone says nothing: keep its folder) was copied into
 * eight, and because two paths with the same file name (the original `cnn.onnx` and the fine-tuned
 * `cnn-eet-1/cnn.onnx`) must never be shown as the same name.
 */

const segments = (p: string): string[] => p.split(/[\\/]/).filter(Boolean);

/** The generic names that only their folder makes meaningful. */
const needsFolder = (last: string | undefined) => last === 'model.json';

/** "tiny-cnn.onnx", "checkpoint/model.json": the short name of one path on its own. */
export function displayName(path: string): string {
  const parts = segments(path);
  if (parts.length === 0) return path;
  return needsFolder(parts.at(-1)) && parts.length > 1 ? parts.slice(-2).join('/') : parts.at(-1)!;
}

/**
 * The names of several paths shown together: each path's `displayName`, lengthened only where it
 * would otherwise read the same as another, different path's. Of two ways to lengthen a clash it
 * takes the shorter in total: the path below the clashing paths' common folder
 * (`cnn.onnx` vs `cnn-eet-1/cnn.onnx`) or the shortest distinct suffix (`run1/model.json` vs
 * `run2/model.json`, `a/deep/m.onnx` vs `b/deep/m.onnx`). The same path twice keeps one name.
 */
export function distinguishingNames(paths: readonly string[]): string[] {
  const names = paths.map(displayName);
  const groups = new Map<string, number[]>();
  names.forEach((n, i) => groups.set(n, [...(groups.get(n) ?? []), i]));
  for (const members of groups.values()) {
    const distinct = new Set(members.map((i) => segments(paths[i]).join('/')));
    if (distinct.size < 2) continue;
    const parts = members.map((i) => segments(paths[i]));
    const byFolder = belowCommonFolder(parts);
    const bySuffix = shortestDistinctSuffixes(parts);
    const total = (xs: string[]) => xs.reduce((s, x) => s + x.length, 0);
    const chosen = total(byFolder) <= total(bySuffix) && new Set(byFolder).size === distinct.size ? byFolder : bySuffix;
    members.forEach((i, k) => {
      names[i] = chosen[k];
    });
  }
  return names;
}

/** Each path relative to the deepest folder all of them share (never shorter than its displayName). */
function belowCommonFolder(parts: string[][]): string[] {
  let common = 0;
  const min = Math.min(...parts.map((p) => p.length - 1));
  while (common < min && parts.every((p) => p[common] === parts[0][common])) common++;
  return parts.map((p) => {
    const rel = p.slice(common);
    const shortest = needsFolder(p.at(-1)) && p.length > 1 ? 2 : 1;
    return (rel.length >= shortest ? rel : p.slice(-shortest)).join('/');
  });
}

/** Lengthens only the suffixes that still clash, one folder at a time, until all differ. */
function shortestDistinctSuffixes(parts: string[][]): string[] {
  const lens = parts.map((p) => Math.min(p.length, needsFolder(p.at(-1)) ? 2 : 1));
  const name = (k: number) => parts[k].slice(-lens[k]).join('/');
  for (;;) {
    const seen = new Map<string, number[]>();
    parts.forEach((_, k) => seen.set(name(k), [...(seen.get(name(k)) ?? []), k]));
    let grew = false;
    for (const clash of seen.values()) {
      if (clash.length < 2) continue;
      for (const k of clash) {
        if (lens[k] < parts[k].length) {
          lens[k]++;
          grew = true;
        }
      }
    }
    if (!grew) return parts.map((_, k) => name(k));
  }
}
