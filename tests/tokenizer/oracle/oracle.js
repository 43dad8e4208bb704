#!/usr/bin/env node
// Reference token ids from Hugging Face's own tokenizer (the Rust `tokenizers` library through
// its node binding), for vkmoe's tokenizer tests.
//
//   node DIR/oracle.js TOKENIZER_JSON STRINGS_JSON [--add-special]
//
// DIR is the folder fetch.sh installed this script and its packages into; STRINGS_JSON a file
// holding a JSON list of strings. Prints a JSON list with, for each string in order,
// {"ids": [...], "text": the decoding of those ids, special tokens included,
//  "plain_text": their decoding with special tokens skipped}.
'use strict';
const fs = require('fs');
const { Tokenizer } = require('@anush008/tokenizers');

const [tokenizerJson, stringsJson, ...flags] = process.argv.slice(2);
if (!tokenizerJson || !stringsJson) {
  process.stderr.write('usage: node oracle.js TOKENIZER_JSON STRINGS_JSON [--add-special]\n');
  process.exit(2);
}

async function main() {
  const tokenizer = Tokenizer.fromFile(tokenizerJson);
  const strings = JSON.parse(fs.readFileSync(stringsJson, 'utf8'));
  const addSpecial = flags.includes('--add-special');
  const out = [];
  for (const s of strings) {
    const encoding = await tokenizer.encode(s, null, { addSpecialTokens: addSpecial });
    const ids = Array.from(encoding.getIds());
    out.push({ ids, text: await tokenizer.decode(ids, false), plain_text: await tokenizer.decode(ids, true) });
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
