#!/usr/bin/env node
// Entry point of the `certledger` binary: runs the compiled CLI.
require('../dist/src/main.js');
