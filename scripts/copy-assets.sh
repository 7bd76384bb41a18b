#!/usr/bin/env bash
# Copy the npm packages the pages use into static files (served locally, never from a CDN).
set -euo pipefail
dest=src/zhifa/web/static/vendor
mkdir -p "$dest"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
# tus 1.0 client for resumable evidence uploads (the browser UMD bundle: window.tus)
cp node_modules/tus-js-client/dist/tus.min.js node_modules/tus-js-client/dist/tus.min.js.map "$dest/"
# ECharts for the annual-report charts on the portal (window.echarts)
cp node_modules/echarts/dist/echarts.min.js "$dest/echarts.min.js"
