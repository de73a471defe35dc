// Builds the widget's modules into the one file loader.js loads: `make widget` writes
// relaydesk/web/static/widget.js; `node build.mjs <file>` writes elsewhere (the test that
// checks the committed file is current builds into a temporary directory and compares).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const outfile = process.argv[2] || fileURLToPath(new URL('../static/widget.js', import.meta.url));

await build({
  entryPoints: [`${here}shell.js`],
  outfile,
  bundle: true,
  format: 'iife',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  loader: { '.css': 'text' },
  banner: { js: '/* relaydesk chat panel, built from relaydesk/web/widget_src by `make widget`: edit those. */' },
  logLevel: 'warning',
});
