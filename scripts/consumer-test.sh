#!/usr/bin/env bash
# `npm run test:consumer`: installs this package the way its users do, and proves each use works.
#   1. npm pack (what a registry install would get; prepare compiles the construct with jsii), and
#      its size; the same for the client package (client/);
#   2. a scratch app from this repo's own `cdk init app --language typescript --generate-only`, its
#      dependencies installed from the registry, plus the tarball;
#   3. `cdk synth` of a stack that attaches the construct to an existing secret (the app's own
#      `tsc` type-check runs first), asserted: function, schedule, permission, asset = the built bundle;
#   4. the installed `npx hopae-rotation --help`;
#   5. `import` from an ES module and `require` from CommonJS, of the construct and of the client;
#   6. the same synth with the lowest aws-cdk-lib and constructs the package declares.
# Needs the npm registry. Leaves nothing behind.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

cd "$root"
# Packs the package in $1; prints its tarball's path, and its size to stderr.
pack() {
  local pack_json
  pack_json="$(npm pack "$1" --json --pack-destination "$work")"
  node -e 'const p=JSON.parse(require("fs").readFileSync(0,"utf8"))[0]; console.error(`packed: ${p.filename}: ${(p.size/1024).toFixed(1)} KiB packed, ${(p.unpackedSize/1024).toFixed(1)} KiB unpacked, ${p.entryCount} files`)' <<<"$pack_json"
  echo "$work/$(node -e 'const p=JSON.parse(require("fs").readFileSync(0,"utf8"))[0]; console.log(p.filename)' <<<"$pack_json")"
}
tarball="$(pack .)"
client_tarball="$(pack ./client)"
# What users must never receive: tests, local tooling, sources of the bundles, the client (its own package).
if tar -tzf "$tarball" | grep -E '^package/(test|local|scripts|lambda|cli|client|\.ci)/|^package/dist/(client|packages)/'; then
  echo "the package ships files users do not need (above)" >&2
  exit 1
fi
# The construct is a jsii module: its assembly ships, and it depends on nothing but its peers.
# (the listing first: `grep -q` would end the pipe early, and pipefail would count tar's broken pipe)
listing="$(tar -tzf "$tarball")"
grep -qx 'package/.jsii' <<<"$listing" || { echo "the package lacks its jsii assembly (.jsii)" >&2; exit 1; }
tar -xzOf "$tarball" package/package.json | node -e 'const p=JSON.parse(require("fs").readFileSync(0,"utf8")); if (p.dependencies && Object.keys(p.dependencies).length) { console.error(`the construct package has dependencies: ${Object.keys(p.dependencies)}`); process.exit(1); }'
if tar -tzf "$client_tarball" | grep -vE '^package/(package\.json|README\.md|dist/[a-z-]+\.(js|d\.ts))$'; then
  echo "the client package ships more than its compiled library (above)" >&2
  exit 1
fi

app="$work/app"
mkdir "$app" && cd "$app"
"$root/node_modules/.bin/cdk" init app --language typescript --generate-only > "$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
cp "$root/test/consumer/app-stack.ts" lib/app-stack.ts
npm install --silent
npm install --silent "$tarball" "$client_tarball"

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
