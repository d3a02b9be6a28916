#!/usr/bin/env bash
# Copy the front-end libraries installed by `npm install` (assets/node_modules)
# into static/vendor/, so Django templates serve them with {% static %} and
# never from a CDN.
#
# Usage:  cd assets && npm install && ./copy-vendor.sh
#
# Any `sourceMappingURL` comment in a copied file must point to a file that is
# copied next to it; otherwise the comment is stripped, because whitenoise's
# manifest storage fails on references to missing files.
set -euo pipefail

ASSETS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$ASSETS_DIR/.." && pwd)"
NM="$ASSETS_DIR/node_modules"
DEST="$REPO_DIR/static/vendor"

die() { echo "copy-vendor: $*" >&2; exit 1; }

[[ -d "$NM" ]] || die "$NM not found; run 'npm install' in $ASSETS_DIR first"
for pkg in bootstrap bootstrap-icons chart.js; do
    [[ -f "$NM/$pkg/package.json" ]] || die "package $pkg is not installed; run 'npm install'"
done

# copy_asset SRC DEST_FILE
# Copies one .js/.css file. If it carries a sourceMappingURL comment, the map
# it names is copied next to it (renamed, and the comment rewritten, when the
# destination name differs); if the map does not exist, the comment is removed.
copy_asset() {
    local src="$1" dst="$2"
    local src_dir dst_dir dst_name map_ref
    src_dir="$(dirname "$src")"
    dst_dir="$(dirname "$dst")"
    dst_name="$(basename "$dst")"
    [[ -f "$src" ]] || die "missing source file: $src"
    mkdir -p "$dst_dir"
    cp "$src" "$dst"

    # Matches both `//# sourceMappingURL=x` (JS) and `/*# sourceMappingURL=x */` (CSS).
    map_ref="$(grep -oE 'sourceMappingURL=[^[:space:]*]+' "$dst" | tail -n 1 | sed 's/^sourceMappingURL=//' || true)"
    [[ -n "$map_ref" ]] || return 0

    if [[ "$map_ref" != */* && "$map_ref" != data:* && -f "$src_dir/$map_ref" ]]; then
        local new_map="$dst_name.map"
        cp "$src_dir/$map_ref" "$dst_dir/$new_map"
        if [[ "$new_map" != "$map_ref" ]]; then
            sed -i -E "s#sourceMappingURL=${map_ref//./\\.}#sourceMappingURL=${new_map}#" "$dst"
        fi
    else
        echo "copy-vendor: stripping sourceMappingURL=$map_ref from $dst (map not available)" >&2
        sed -i -E '/^[[:space:]]*(\/\/|\/\*)[#@] sourceMappingURL=/d; s#/\*[#@] sourceMappingURL=[^*]*\*/##; s#//[#@] sourceMappingURL=.*$##' "$dst"
    fi
}

echo "Refreshing $DEST"
rm -rf "$DEST/bootstrap" "$DEST/bootstrap-icons" "$DEST/chartjs"
mkdir -p "$DEST"

# --- Bootstrap (CSS + JS bundle, which includes Popper) ---------------------
copy_asset "$NM/bootstrap/dist/css/bootstrap.min.css"     "$DEST/bootstrap/css/bootstrap.min.css"
copy_asset "$NM/bootstrap/dist/js/bootstrap.bundle.min.js" "$DEST/bootstrap/js/bootstrap.bundle.min.js"
cp "$NM/bootstrap/LICENSE" "$DEST/bootstrap/LICENSE"

# --- Bootstrap Icons (CSS + web fonts at the relative path fonts/) ----------
BI="$NM/bootstrap-icons/font"
if [[ -f "$BI/bootstrap-icons.min.css" ]]; then
    copy_asset "$BI/bootstrap-icons.min.css" "$DEST/bootstrap-icons/bootstrap-icons.min.css"
    BI_CSS="$DEST/bootstrap-icons/bootstrap-icons.min.css"
else
    copy_asset "$BI/bootstrap-icons.css" "$DEST/bootstrap-icons/bootstrap-icons.css"
    BI_CSS="$DEST/bootstrap-icons/bootstrap-icons.css"
fi
mkdir -p "$DEST/bootstrap-icons/fonts"
cp "$BI/fonts/bootstrap-icons.woff" "$BI/fonts/bootstrap-icons.woff2" "$DEST/bootstrap-icons/fonts/"
cp "$NM/bootstrap-icons/LICENSE" "$DEST/bootstrap-icons/LICENSE"
# Every url(...) in the icons CSS must resolve to a copied file.
while IFS= read -r ref; do
    [[ -f "$DEST/bootstrap-icons/${ref%%[?#]*}" ]] || die "bootstrap-icons CSS references missing file: $ref"
done < <(grep -oE 'url\("?[^")]+' "$BI_CSS" | sed -E 's/^url\("?//')

# --- Chart.js (UMD build, exposes window.Chart; bundles @kurkle/color) ------
CJ="$NM/chart.js/dist"
if [[ -f "$CJ/chart.umd.min.js" ]]; then
    copy_asset "$CJ/chart.umd.min.js" "$DEST/chartjs/chart.umd.min.js"
else
    # Chart.js 4.0-4.4 only ships chart.umd.js, which is already minified.
    copy_asset "$CJ/chart.umd.js" "$DEST/chartjs/chart.umd.min.js"
fi
cp "$NM/chart.js/LICENSE.md" "$DEST/chartjs/LICENSE.md"

# --- VERSIONS.json -----------------------------------------------------------
node - "$NM" "$DEST/VERSIONS.json" <<'EOF'
const fs = require('fs');
const path = require('path');
const [nm, out] = process.argv.slice(2);
const pkg = (name) => JSON.parse(fs.readFileSync(path.join(nm, name, 'package.json'), 'utf8'));
const entry = (name, dir, files, bundled) => {
  const j = pkg(name);
  const e = { package: name, version: j.version, license: j.license, homepage: j.homepage, directory: dir, files };
  if (bundled) {
    e.bundles = bundled.map((b) => ({ package: b, version: pkg(b).version, license: pkg(b).license }));
  }
  return e;
};
const listFiles = (dir) => {
  const base = path.join(path.dirname(out), dir);
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((f) =>
    f.isDirectory() ? walk(path.join(d, f.name)) : [path.relative(base, path.join(d, f.name))]);
  return walk(base).sort();
};
const data = {
  comment: 'Generated by assets/copy-vendor.sh from assets/node_modules. Do not edit by hand.',
  packages: [
    entry('bootstrap', 'bootstrap', listFiles('bootstrap'), ['@popperjs/core']),
    entry('bootstrap-icons', 'bootstrap-icons', listFiles('bootstrap-icons')),
    entry('chart.js', 'chartjs', listFiles('chartjs'), ['@kurkle/color']),
  ],
};
fs.writeFileSync(out, JSON.stringify(data, null, 2) + '\n');
EOF

# --- Final check: every sourceMappingURL must resolve next to its file -------
status=0
while IFS= read -r f; do
    ref="$(grep -oE 'sourceMappingURL=[^[:space:]*]+' "$f" | tail -n 1 | sed 's/^sourceMappingURL=//')"
    if [[ ! -f "$(dirname "$f")/$ref" ]]; then
        echo "copy-vendor: $f references missing source map $ref" >&2
        status=1
    fi
done < <(grep -rlE 'sourceMappingURL=' "$DEST" --include='*.js' --include='*.css' || true)
[[ $status -eq 0 ]] || die "dangling sourceMappingURL references"

echo "Done:"
(cd "$DEST" && find . -type f | sort)
du -sh "$DEST"
