#!/usr/bin/env node
// loa-sim: thin launcher for the compiled TypeScript (npm install runs `tsc` through "prepare").
import '../dist/firmware-sim/main.js';
