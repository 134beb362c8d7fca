#!/usr/bin/env node
import { startServer } from '../dist/src/server.js';

await startServer();
