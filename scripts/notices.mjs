// The licences of the npm packages bundled into dist/: their code ships inside our bundles, so
// their licence texts ship beside them in one file (the unbundled native files carry their own
// licence files under node_modules; see scripts/package.mjs).
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LICENCE } from './unbundled.mjs';

/** "node_modules/a/node_modules/@s/b/x.js" → "node_modules/a/node_modules/@s/b" (the package folder). */
function packageDirOf(input) {
  const m = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
  return m ? m[1] : undefined;
}

/**
 * Writes `out`: for each package whose files are inputs of the `metafiles`' bundles, its name,
 * version, licence field and licence texts. Fails when a bundled package has neither a licence
 * file nor a licence field: shipping its code without knowing the terms is not an option.
 */
export function writeThirdPartyNotices(root, metafiles, out) {
  const dirs = new Set();
  for (const meta of metafiles)
    for (const input of Object.keys(meta.inputs)) {
      const dir = packageDirOf(input);
      if (dir) dirs.add(dir);
    }
  const entries = [];
  for (const dir of [...dirs].sort()) {
    const pkgPath = join(root, dir, 'package.json');
    // Packages with nested package.json files (dist/cjs/package.json) are listed once, by their root.
    if (!existsSync(pkgPath)) continue;
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
    if (!pkg.name || entries.some((e) => e.name === pkg.name && e.version === pkg.version)) continue;
    const texts = readdirSync(join(root, dir))
      .filter((f) => LICENCE.test(f))
      .sort()
      .map((f) => readFileSync(join(root, dir, f), 'utf8').trim());
    const license = typeof pkg.license === 'string' ? pkg.license : pkg.license?.type;
    if (!texts.length && !license) throw new Error(`${dir} is bundled but names no licence`);
    entries.push({ name: pkg.name, version: pkg.version, license: license ?? 'see text', texts });
  }
  const body = [
    'Embedding Lens bundles the following npm packages into dist/. Their licences follow.',
    '',
    ...entries.flatMap((e) => [
      '-'.repeat(78),
      `${e.name} ${e.version} — ${e.license}`,
      '',
      ...(e.texts.length
        ? e.texts.flatMap((t) => [t, ''])
        : [`(the package ships no licence file; its package.json names ${e.license})`, '']),
    ]),
  ].join('\n');
  writeFileSync(`${out}.tmp`, body);
  renameSync(`${out}.tmp`, out);
  return entries.length;
}
