#!/usr/bin/env node
// loa: thin launcher for the compiled TypeScript (npm install runs `tsc` through "prepare").
import '../dist/cli/main.js';
