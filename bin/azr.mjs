#!/usr/bin/env node
// The `azr` command: TypeScript sources run through tsx's loader, so the CLI and the
// app share one codebase with no separate build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
