#!/usr/bin/env node
// DERIVE_DEBUG=1: stack traces name source files and lines (the build ships source maps; they are
// read only when asked for, since parsing them costs start-up time, and only for code loaded after).
if (process.env.DERIVE_DEBUG) process.setSourceMapsEnabled(true)
await import('../dist/derive.js')
