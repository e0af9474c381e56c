// Where the system Chromium lives, and the flags that give it WebGPU on a machine
// without a GPU (SwiftShader's Vulkan). Shared by vitest's browser project, the e2e
// tests and the CLI so that every real-browser run sees the same browser.
export const CHROMIUM_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-webgpu-adapter=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
