#!/usr/bin/env node
import '../dist/derive.js'
