#!/usr/bin/env node
// The `appchain` bin: a committed file (so npm links it at install, before any build) that runs the built CLI.
import { run } from '../dist/cli.js'

run()
