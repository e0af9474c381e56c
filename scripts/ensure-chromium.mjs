#!/usr/bin/env node
// The browser tests run in the system Chromium (Debian's package), never a downloaded
// build. Make sure it is there before vitest starts: install it when we may (root on
// Debian), otherwise stop with the exact command a person has to run.
import { existsSync, readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';

const path = process.env.CHROME_PATH || '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);

const isDebian = existsSync('/etc/debian_version') ||
  (existsSync('/etc/os-release') && /debian|ubuntu/i.test(readFileSync('/etc/os-release', 'utf8')));
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

if (process.env.CHROME_PATH) {
  console.error(`CHROME_PATH is set to ${path}, but no file is there. Point it at a Chromium binary or unset it.`);
  process.exit(1);
}
if (isDebian && isRoot) {
  console.error('Chromium is missing: installing Debian\'s chromium package (apt-get) for the browser tests…');
  try {
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
  } catch {
    console.error('apt-get could not install chromium. Install it by hand: apt-get install -y chromium');
    process.exit(1);
  }
  if (existsSync(path)) process.exit(0);
}
console.error(
  'The browser tests need Chromium at /usr/bin/chromium (or set CHROME_PATH).\n' +
  (isDebian ? 'Install it with:\n  sudo apt-get update && sudo apt-get install -y chromium\n'
            : 'Install Chromium with your system\'s package manager, then set CHROME_PATH to its binary.\n'),
);
process.exit(1);
