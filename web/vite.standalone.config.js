// The standalone graph viewer: one IIFE script with every dependency
// inlined, and one style sheet, for `flowlens graph -o html`:
// internal/webui/dist/standalone/graph.js and graph.css.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const out = fileURLToPath(new URL('../internal/webui/dist/standalone', import.meta.url));

export default defineConfig({
  publicDir: false,
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: out,
    emptyOutDir: true, // this folder only
    target: 'es2020',
    sourcemap: false,
    cssCodeSplit: false,
    chunkSizeWarningLimit: 1200,
    lib: {
      entry: fileURLToPath(new URL('./src/standalone.js', import.meta.url)),
      name: 'FlowlensGraph',
      formats: ['iife'],
      fileName: () => 'graph.js',
      cssFileName: 'graph',
    },
  },
});
