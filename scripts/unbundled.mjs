// What the node bundles cannot contain, in one place for the build (scripts/build.mjs) and the
// package stage (scripts/package.mjs): native addons with the shared libraries they load, and the
// WebAssembly files tfjs's wasm backend fetches. Everything else a dependency ships is JavaScript
// (or JSON) that esbuild bundles into dist/.
//
// At run time the bundles find these files with src/core/runtime/packageFile.ts, which looks for
// node_modules/<package>/<file> above the bundle's folder — the extension's own node_modules in
// an installed .vsix (only these files and their licences), the checkout's full one otherwise.
import { readFile } from 'node:fs/promises';
import { join, posix, relative, resolve, sep } from 'node:path';

/** A native binary: an addon, or a shared library one loads (by name, through its rpath). */
export const NATIVE = /\.(node|so(\.\d+)*|dll|dylib|exe)$/;

/**
 * Folders of .wasm files the runtime points at (tfjs.ts hands this one to setWasmPaths). The
 * package also carries a second copy in wasm-out/, which nothing reads.
 */
export const WASM_DIRS = ['@tensorflow/tfjs-backend-wasm/dist'];

/** Licence texts that ship beside a package's unbundled files; a README when a package has none. */
export const LICENCE = /^(licen[cs]e|notice|copying|third[-_]party)/i;

/** Packages whose never-installed optional natives must stay a run-time require that can fail. */
export const OPTIONAL_EXTERNAL = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

/**
 * Packages that find their addon by a computed path other than a `require(\`./….node\`)` template
 * (which the plugin rewrites by itself): the computation is replaced with a lookup through
 * packageFile. Each `from` must occur exactly once — a dependency upgrade that changes it fails the
 * build instead of shipping an extension that cannot load its addon.
 */
const COMPUTED_PATHS = [
  {
    // usearch walks up from __dirname to a folder holding prebuilds/, where node-gyp-build picks the
    // platform's addon; bundled, __dirname is dist/ and the walk ends at "/" with an error.
    file: 'usearch/javascript/dist/cjs/usearch.js',
    from: '(0, node_gyp_build_1.default)(getBuildDir(getDirName()))',
    to: "(0, node_gyp_build_1.default)(require('node:path').dirname(__packageFile('usearch/prebuilds')))",
  },
];

/**
 * `require(\`../bin/${process.platform}/x.node\`)`: a relative addon path with run-time parts
 * (onnxruntime-node's binding, sharp's locally built addon). esbuild would try to glob it — and fail
 * where nothing matches; it becomes a packageFile lookup of the same file, relative to node_modules.
 */
const TEMPLATE_ADDON = /require\(`(\.\.?\/[^`]*\.node)`\)/g;

function rewriteTemplateAddons(text, fileInNodeModules) {
  return text.replace(TEMPLATE_ADDON, (_, path) => {
    const staticPart = path.split('${')[0];
    const cut = staticPart.lastIndexOf('/') + 1;
    const dir = posix.normalize(posix.join(posix.dirname(fileInNodeModules), staticPart.slice(0, cut)));
    return `require(__packageFile(\`${dir}${dir.endsWith('/') ? '' : '/'}${path.slice(cut)}\`))`;
  });
}

/** The path of `abs` below the root's node_modules ("sharp/dist/x.cjs"), or undefined. */
function inNodeModules(root, abs) {
  const rel = relative(join(root, 'node_modules'), abs);
  return rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel.split(sep).join('/') : undefined;
}

/**
 * esbuild plugin for the node bundles. A `require('./x.node')` becomes a require of the path
 * packageFile finds at run time; the packages in COMPUTED_PATHS get their path computation
 * replaced the same way.
 */
export function unbundledNatives(root) {
  const locator = JSON.stringify(join(root, 'src/core/runtime/packageFile.ts'));
  const prelude = `var __packageFile = require(${locator}).packageFile;\n`;
  return {
    name: 'unbundled-natives',
    setup(build) {
      // Our TypeScript imports compile to require() in these CommonJS bundles, so a package resolves
      // as Node resolved it when it was external: through its "require" export. Left alone, esbuild
      // picks "import" for an import statement — sharp's ESM entry, whose createRequire(import.meta.url)
      // has no URL in a CommonJS bundle.
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.kind !== 'import-statement' || args.pluginData?.asRequire) return undefined;
        const r = await build.resolve(args.path, {
          kind: 'require-call',
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: { asRequire: true },
        });
        return r.errors.length ? undefined : r;
      });
      build.onResolve({ filter: /\.node$/ }, (args) => {
        // Bare specifiers ("@img/sharp-linux-x64/sharp.node") map through the package's exports to
        // JavaScript; esbuild resolves those itself.
        if (!args.path.startsWith('.') && !args.path.startsWith('/')) return undefined;
        const abs = resolve(args.resolveDir, args.path);
        const rel = inNodeModules(root, abs);
        if (!rel) return { errors: [{ text: `native addon ${args.path} (from ${args.importer}) is not inside node_modules` }] };
        return { path: rel, namespace: 'unbundled-native' };
      });
      build.onLoad({ filter: /.*/, namespace: 'unbundled-native' }, (args) => ({
        contents: `module.exports = require(require(${locator}).packageFile(${JSON.stringify(args.path)}));\n`,
        resolveDir: root,
        loader: 'js',
      }));
      build.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, async (args) => {
        const rel = inNodeModules(root, args.path);
        if (!rel) return undefined;
        let text = await readFile(args.path, 'utf8');
        const original = text;
        for (const patch of COMPUTED_PATHS.filter((p) => rel.endsWith(p.file))) {
          const at = text.indexOf(patch.from);
          if (at < 0 || text.indexOf(patch.from, at + 1) >= 0) {
            return {
              errors: [
                {
                  text: `${patch.file} no longer contains exactly one \`${patch.from}\`: update scripts/unbundled.mjs for the new version`,
                },
              ],
            };
          }
          text = text.replace(patch.from, patch.to);
        }
        text = rewriteTemplateAddons(text, rel);
        return text === original ? undefined : { contents: prelude + text, loader: 'js' };
      });
    },
  };
}
