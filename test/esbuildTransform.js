/**
 * Jest transform: TypeScript → CommonJS with esbuild (already a dependency for the function
 * bundles). It only strips types; `npm run typecheck` checks them. Chosen over @swc/jest because
 * swc's per-platform binaries are not all published to every registry mirror, which leaves a
 * lock file that `npm ci` rejects; esbuild's are.
 */
const { transformSync } = require('esbuild')

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: filename.endsWith('.tsx') ? 'tsx' : 'ts',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'external',
      sourcefile: filename,
    })
    return { code, map }
  },
}
