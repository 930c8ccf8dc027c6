import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the cockpit is built to; the server serves it as static files. */
export const WEB_OUT_DIR = resolve(here, '../../dist/web');

/**
 * The cockpit: a Preact SPA rooted at src/web, built to dist/web with every asset local (no CDN),
 * plus `embed.js`, the small survey script a company puts on its own site.
 */
export default defineConfig({
  root: here,
  base: '/',
  plugins: [preact()],
  logLevel: 'warn',
  build: {
    outDir: WEB_OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      input: { index: resolve(here, 'index.html'), embed: resolve(here, 'embed.ts') },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'embed' ? 'embed.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
