#!/usr/bin/env bash
# Copy the front-end files the web app serves from node_modules/ (installed by
# `npm ci`, see package.json) into webapp/static/vendor/ (git-ignored), so the
# app works offline. Run through `make assets`.
#
# Resulting layout (what templates should link to, under /static/vendor/):
#   bootstrap/css/bootstrap.min.css         bootstrap/js/bootstrap.bundle.min.js
#   bootstrap-icons/bootstrap-icons.min.css (+ fonts/)
#   bpmn-js/bpmn-navigated-viewer.production.min.js   (case pages: the diagram, read-only)
#   bpmn-js/bpmn-modeler.production.min.js            (the admin's modeler, /admin/models/<key>/edit)
#   bpmn-js/assets/diagram-js.css  bpmn-js/assets/bpmn-js.css
#   bpmn-js/assets/bpmn-font/css/bpmn.css   (+ bpmn-font/font/)
#   echarts/echarts.min.js
#   swagger-ui/swagger-ui-bundle.js        swagger-ui/swagger-ui.css
#   dmn-js/dmn-modeler.production.min.js   dmn-js/assets/*.css
#   dmn-js/assets/dmn-font/css/dmn.css      (+ dmn-font/font/)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
nm="$root/node_modules"
dest="$root/webapp/static/vendor"

for pkg in bootstrap bootstrap-icons bpmn-js echarts swagger-ui-dist dmn-js; do
    if [ ! -f "$nm/$pkg/package.json" ]; then
        echo "vendor-assets: $nm/$pkg is missing; run 'npm ci' first (make assets does)" >&2
        exit 1
    fi
done

mkdir -p "$root/webapp/static"
tmp="$(mktemp -d "$root/webapp/static/.vendor-tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# copy SRC... DESTDIR: fails (set -e) when a source file is missing
put() {
    local dir="$tmp/${!#}"
    mkdir -p "$dir"
    cp -p "${@:1:$#-1}" "$dir/"
}

b="$nm/bootstrap"
put "$b/dist/css/bootstrap.min.css" "$b/dist/css/bootstrap.min.css.map" bootstrap/css
put "$b/dist/js/bootstrap.bundle.min.js" "$b/dist/js/bootstrap.bundle.min.js.map" bootstrap/js
put "$b/LICENSE" bootstrap

i="$nm/bootstrap-icons"
put "$i/font/bootstrap-icons.min.css" "$i/font/bootstrap-icons.css" bootstrap-icons
put "$i/font/fonts/bootstrap-icons.woff2" "$i/font/fonts/bootstrap-icons.woff" bootstrap-icons/fonts
put "$i/LICENSE" bootstrap-icons

j="$nm/bpmn-js"
put "$j/dist/bpmn-navigated-viewer.production.min.js" "$j/dist/bpmn-modeler.production.min.js" bpmn-js
put "$j/dist/assets/diagram-js.css" "$j/dist/assets/bpmn-js.css" bpmn-js/assets
put "$j/dist/assets/bpmn-font/css/"*.css bpmn-js/assets/bpmn-font/css
put "$j/dist/assets/bpmn-font/font/"* bpmn-js/assets/bpmn-font/font
put "$j/LICENSE" bpmn-js

e="$nm/echarts"
put "$e/dist/echarts.min.js" echarts
put "$e/LICENSE" echarts

s="$nm/swagger-ui-dist"
put "$s/swagger-ui-bundle.js" "$s/swagger-ui.css" "$s/LICENSE" "$s/NOTICE" swagger-ui

d="$nm/dmn-js"
put "$d/dist/dmn-modeler.production.min.js" dmn-js
put "$d/dist/assets/"*.css dmn-js/assets
put "$d/dist/assets/dmn-font/css/"*.css dmn-js/assets/dmn-font/css
put "$d/dist/assets/dmn-font/font/"* dmn-js/assets/dmn-font/font
# dmn-embedded.css carries its font as data: URLs, which font-src 'self' refuses: the same rules with
# the font from its file
{
    printf "@font-face {\n  font-family: 'dmn';\n  src: url('../font/dmn.woff2') format('woff2'), url('../font/dmn.woff') format('woff');\n  font-weight: normal;\n  font-style: normal;\n}\n"
    sed -n '/^ *\[class\^="dmn-icon-"\]/,$p' "$d/dist/assets/dmn-font/css/dmn-embedded.css"
} > "$tmp/dmn-js/assets/dmn-font/css/dmn.css"
grep -q 'dmn-icon-up' "$tmp/dmn-js/assets/dmn-font/css/dmn.css"
put "$d/LICENSE" dmn-js

# record what was vendored
node -e '
const fs = require("fs");
const out = {};
for (const p of ["bootstrap", "bootstrap-icons", "bpmn-js", "echarts", "swagger-ui-dist", "dmn-js"]) {
  out[p] = JSON.parse(fs.readFileSync(process.argv[1] + "/" + p + "/package.json")).version;
}
fs.writeFileSync(process.argv[2] + "/versions.json", JSON.stringify(out, null, 2) + "\n");
' "$nm" "$tmp"

rm -rf "$dest"
mv "$tmp" "$dest"
chmod 755 "$dest"
trap - EXIT
echo "vendor-assets: $(tr -d '\n ' < "$dest/versions.json") -> webapp/static/vendor/"
