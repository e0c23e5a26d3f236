// The app build: internal/webui/dist/app (index.html + assets/), served by
// `flowlens serve` at /. Dev server proxies the API to a local flowlens.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const out = fileURLToPath(new URL('../internal/webui/dist/app', import.meta.url));
const target = process.env.FLOWLENS_API || 'http://127.0.0.1:8099';

export default defineConfig({
  base: './',
  publicDir: false,
  build: {
    outDir: out,
    emptyOutDir: true, // this folder only: dist/.keep and dist/standalone stay
    target: 'es2020',
    chunkSizeWarningLimit: 1200,
    sourcemap: false,
    rollupOptions: {
      output: {
        // Libraries in their own long-lived chunk.
        manualChunks(id) {
          if (id.includes('node_modules')) return 'vendor';
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target, changeOrigin: true },
      '/metrics': { target, changeOrigin: true },
    },
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    proxy: {
      '/api': { target, changeOrigin: true },
      '/metrics': { target, changeOrigin: true },
    },
  },
  test: {
    include: ['test/**/*.test.js'],
    environment: 'node',
  },
});
