import { defineConfig } from "vite";

// `usersync` is the built package (file:../pkg, a symlink): not pre-bundled, so its
// `new URL("usersync_bg.wasm", import.meta.url)` stays next to the module and Vite emits
// the .wasm as an asset.
export default defineConfig({
  base: "./",
  optimizeDeps: { exclude: ["usersync"] },
  server: { host: "127.0.0.1", fs: { allow: [".."] } },
  preview: { host: "127.0.0.1" },
  build: { target: "es2022", sourcemap: true, chunkSizeWarningLimit: 1200 },
});
