// Vite builds the app into dist/ (served by a member gateway with http.webRoot). In development,
// `npm run dev -w clients/web` proxies the API to a gateway (FT_GATEWAY, default the Org1 demo).
import { defineConfig } from 'vite';

const gateway = process.env.FT_GATEWAY ?? 'http://127.0.0.1:8080';

export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: { proxy: { '/v1': gateway, '/web-config.json': gateway } },
});
