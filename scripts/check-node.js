#!/usr/bin/env node
// Fails early, with a clear message, when the project runs under the wrong Node.
// npm scripts put node_modules/.bin first on PATH, where the `node` package installs Node 22.
'use strict';
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  console.error(`ForgeTrace needs Node >= 22.13; this is ${process.version} (${process.execPath}).`);
  console.error('Run it through npm (npm test, npm start), which uses node_modules/.bin/node from the "node" package.');
  process.exit(1);
}
