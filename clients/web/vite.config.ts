// Vite builds the app into dist/ (served by a member gateway with http.webRoot). In development,
// `npm run dev -w clients/web` proxies the API to a gateway (FT_GATEWAY, default the Org1 demo).
// The offline verifier (@forgetrace/verifier) is bundled from its TypeScript source, so the app
// verifies bundles with the same code as the gateway and the CLI, without building it first.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const gateway = process.env.FT_GATEWAY ?? 'http://127.0.0.1:8080';

export default defineConfig({
  resolve: { alias: { '@forgetrace/verifier': fileURLToPath(new URL('../verifier/src/index.ts', import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: { proxy: { '/v1': gateway, '/public': gateway, '/web-config.json': gateway } },
});
