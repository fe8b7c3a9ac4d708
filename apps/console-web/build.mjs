// Bundles the console's browser code with esbuild into dist/bundle (console.js, console.css), served by webhooks under /console/assets.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist', 'bundle');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  outfile: join(out, 'console.js'),
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(here, 'src', 'console.css'), join(out, 'console.css'));
if (process.env.CONSOLE_BUNDLE_VERBOSE) console.log(`console.js ${statSync(join(out, 'console.js')).size} bytes`);
