import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The web app, served by `traslado serve` from web/dist/. `npm run dev:web` serves it with hot reload
// on :5173 and sends the API's paths to a server on :3000 (`npm start`).
const api = process.env.TRASLADO_API ?? "http://127.0.0.1:3000";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", reportCompressedSize: false },
  server: {
    proxy: Object.fromEntries(["/api", "/auth", "/health", "/openapi.json"].map((p) => [p, api])),
  },
});
