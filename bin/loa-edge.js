#!/usr/bin/env node
// loa-edge: thin launcher for the compiled TypeScript (npm install runs `tsc` through "prepare").
import '../dist/daemon/main.js';
