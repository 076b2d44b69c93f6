#!/usr/bin/env bash
# Refresh the vendored Bootstrap, swagger-ui and Chart.js files from the npm registry (needs node; CI does not).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/src/jamsos/web/static/vendor"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm init -y >/dev/null && npm install --silent bootstrap@5.3.9 bootstrap-icons@1.13.2 \
    swagger-ui-dist@5.35.0 chart.js@4.6.2)
cp "$tmp"/node_modules/bootstrap/dist/css/bootstrap.min.css \
   "$tmp"/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js \
   "$tmp"/node_modules/bootstrap/LICENSE "$dest/bootstrap/"
cp "$tmp"/node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$dest/bootstrap-icons/"
cp "$tmp"/node_modules/bootstrap-icons/font/fonts/*.woff* "$dest/bootstrap-icons/fonts/"
cp "$tmp"/node_modules/bootstrap-icons/LICENSE "$dest/bootstrap-icons/"
mkdir -p "$dest/swagger-ui"
cp "$tmp"/node_modules/swagger-ui-dist/{swagger-ui-bundle.js,swagger-ui-bundle.js.LICENSE.txt,swagger-ui.css,LICENSE,NOTICE} \
   "$dest/swagger-ui/"
mkdir -p "$dest/chartjs"
cp "$tmp"/node_modules/chart.js/dist/chart.umd.min.js "$dest/chartjs/"
cp "$tmp"/node_modules/chart.js/LICENSE.md "$dest/chartjs/"
# The source maps are not shipped; whitenoise's manifest storage fails on dangling references.
sed -i '/sourceMappingURL=/d' "$dest"/bootstrap/bootstrap.min.css "$dest"/bootstrap/bootstrap.bundle.min.js \
    "$dest"/swagger-ui/swagger-ui-bundle.js "$dest"/swagger-ui/swagger-ui.css \
    "$dest"/chartjs/chart.umd.min.js
