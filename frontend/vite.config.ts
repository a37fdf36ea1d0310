import { VitePWA } from "vite-plugin-pwa";
import { defineConfig } from "vitest/config";

// Django serves dist/ at / through whitenoise (WHITENOISE_ROOT) under a strict CSP
// (script-src 'self'; style-src 'self'): no inline scripts or styles, everything same-origin.
export default defineConfig({
  base: "/",
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    sourcemap: false,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev` proxies the API to a Django runserver on :8000 (or `npm run mock`).
    proxy: {
      "/api": "http://127.0.0.1:8000",
      "/_allauth": "http://127.0.0.1:8000",
    },
  },
  plugins: [
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      injectRegister: false,
      includeManifestIcons: false,
      registerType: "prompt",
      manifestFilename: "manifest.webmanifest",
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,png,svg}"],
        // chart.js is for the therapist's screens: a family's device never downloads it.
        globIgnores: ["**/chart-*.js"],
        rollupFormat: "es",
      },
      devOptions: { enabled: false },
      manifest: {
        id: "/",
        name: "FamilyRepair",
        short_name: "FamilyRepair",
        description: "Helping parents and children make things right after a hard moment.",
        lang: "en",
        dir: "ltr",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        theme_color: "#9c3b2a",
        background_color: "#fff8f1",
        categories: ["lifestyle", "health"],
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/maskable-192.png", sizes: "192x192", type: "image/png", purpose: "maskable" },
          { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
    }),
  ],
  test: {
    environment: "node",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
  },
});
