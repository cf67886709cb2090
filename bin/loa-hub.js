#!/usr/bin/env node
// loa-hub: thin launcher for the compiled TypeScript (npm install runs `tsc` through "prepare").
import '../dist/hub/main.js';
