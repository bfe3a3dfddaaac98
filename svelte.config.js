import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// OPSTOWER_BUILD_DIR lets two builds of one checkout sit side by side (e.g. parallel
// browser-test runs); server.js serves the same directory.
const out = process.env.OPSTOWER_BUILD_DIR ?? 'build';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out }),
    outDir: out === 'build' ? '.svelte-kit' : `.svelte-kit-${out}`,
    // Sources live under app/ (the design card's layout), not src/.
    files: { src: 'app' }
  }
};

export default config;
