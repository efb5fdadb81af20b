#!/usr/bin/env bash
# `npm run test:consumer`: installs this package the way its users do, and proves each use works.
#   1. npm pack (what a registry install would get), and its size;
#   2. a scratch app from this repo's own `cdk init app --language typescript --generate-only`, its
#      dependencies installed from the registry, plus the tarball;
#   3. `cdk synth` of a stack that attaches the construct to an existing secret (the app's own
#      `tsc` type-check runs first), asserted: function, schedule, permission, asset = the built bundle;
#   4. the installed `npx hopae-rotation --help`;
#   5. `import` from an ES module and `require` from CommonJS;
#   6. the same synth with the lowest aws-cdk-lib and constructs the package declares.
# Needs the npm registry. Leaves nothing behind.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

cd "$root"
[ -f dist/function/index.js ] || npm run build
pack_json="$(npm pack --json --pack-destination "$work")"
tarball="$work/$(node -e 'const p=JSON.parse(require("fs").readFileSync(0,"utf8"))[0]; console.log(p.filename)' <<<"$pack_json")"
node -e 'const p=JSON.parse(require("fs").readFileSync(0,"utf8"))[0]; console.log(`packed: ${p.filename}: ${(p.size/1024).toFixed(1)} KiB packed, ${(p.unpackedSize/1024).toFixed(1)} KiB unpacked, ${p.entryCount} files`)' <<<"$pack_json"
# What users must never receive: tests, local tooling, sources of the bundles.
if tar -tzf "$tarball" | grep -E '^package/(test|local|scripts|lambda|cli|\.ci)/'; then
  echo "the package ships files users do not need (above)" >&2
  exit 1
fi

app="$work/app"
mkdir "$app" && cd "$app"
"$root/node_modules/.bin/cdk" init app --language typescript --generate-only > "$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
cp "$root/test/consumer/app-stack.ts" lib/app-stack.ts
npm install --silent
npm install --silent "$tarball"

synth() {
  rm -rf cdk.out
  npx cdk synth --quiet --output cdk.out > /dev/null
  node "$root/test/consumer/assert-template.mjs" cdk.out AppStack node_modules/hopae-secret-rotation/dist/function/index.js
  cmp node_modules/hopae-secret-rotation/dist/function/index.js "$root/dist/function/index.js"
}
echo "aws-cdk-lib $(node -p 'require("aws-cdk-lib/package.json").version'), typescript $(npx tsc --version)"
synth

npx hopae-rotation --help > help.txt
grep -q 'Usage: hopae-rotation' help.txt || { cat help.txt; echo "hopae-rotation --help printed no usage" >&2; exit 1; }
echo "hopae-rotation --help: ok"
cp "$root/test/consumer/check.mjs" "$root/test/consumer/check.cjs" .
node check.mjs
node check.cjs

lowest_cdk="$(node -p 'require("hopae-secret-rotation/package.json").peerDependencies["aws-cdk-lib"].replace(/^\D+/, "")')"
lowest_constructs="$(node -p 'require("hopae-secret-rotation/package.json").peerDependencies.constructs.replace(/^\D+/, "")')"
npm install --silent "aws-cdk-lib@$lowest_cdk" "constructs@$lowest_constructs"
echo "aws-cdk-lib $(node -p 'require("aws-cdk-lib/package.json").version'), constructs $(node -p 'require("constructs/package.json").version') (the lowest declared)"
synth
echo "consumer test: ok"
