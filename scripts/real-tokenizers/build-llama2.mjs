// Writes the real tokenizer folders fetch.sh brings: llama-2/ (built) and mistral/ (copied).
//   node build-llama2.mjs <llama-tokenizer.js> <mistral tokenizer.json> <templates folder> <output folder>
// Llama 2's tokenizer.json has the structure of Mistral's (both SentencePiece BPE with byte fallback, <unk> 0, <s> 1,
// </s> 2, the same normalizer, post-processor and decoder) with Llama 2's 32,000 pieces and 61,249 merges from
// llama-tokenizer-js: its vocabulary is base64 of the pieces joined by "\n", its merges base64 of little-endian
// uint16 pairs of piece ids, highest priority first.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [, , llamaJs, mistralJson, templates, out] = process.argv;
const source = readFileSync(llamaJs, 'utf8');
const constant = (name) => {
  const match = source.match(new RegExp(`const ${name} = "([A-Za-z0-9+/=]+)"`));
  if (!match) throw new Error(`${llamaJs} has no ${name}`);
  return Buffer.from(match[1], 'base64');
};

const pieces = constant('llama_vocab_base64').toString('utf8').split('\n');
if (pieces.length !== 32000) throw new Error(`expected 32000 pieces, got ${pieces.length}`);
const mergeIds = constant('llama_merges_binary');
const merges = [];
for (let i = 0; i + 3 < mergeIds.length; i += 4) {
  merges.push(`${pieces[mergeIds.readUInt16LE(i)]} ${pieces[mergeIds.readUInt16LE(i + 2)]}`);
}
if (merges.length !== 61249) throw new Error(`expected 61249 merges, got ${merges.length}`);

const mistralText = readFileSync(mistralJson, 'utf8');
const llama = JSON.parse(mistralText);
llama.model.vocab = Object.fromEntries(pieces.map((piece, id) => [piece, id]));
llama.model.merges = merges;
for (const [id, content] of [[0, '<unk>'], [1, '<s>'], [2, '</s>']]) {
  if (pieces[id] !== content || llama.added_tokens[id].content !== content) throw new Error(`id ${id} is not ${content}`);
}

const template = (name) => readFileSync(join(templates, name), 'utf8').replace(/\n$/, '');
mkdirSync(join(out, 'llama-2'), { recursive: true });
mkdirSync(join(out, 'mistral'), { recursive: true });
writeFileSync(join(out, 'llama-2', 'tokenizer.json'), JSON.stringify(llama, null, 2) + '\n');
// Llama-2-7b-chat-hf's tokenizer_config.json (its special tokens written as plain strings).
writeFileSync(join(out, 'llama-2', 'tokenizer_config.json'), JSON.stringify({
  add_bos_token: true,
  add_eos_token: false,
  bos_token: '<s>',
  chat_template: template('llama-2-chat.jinja'),
  clean_up_tokenization_spaces: false,
  eos_token: '</s>',
  legacy: false,
  model_max_length: 1000000000000000019884624838656,
  pad_token: null,
  padding_side: 'right',
  sp_model_kwargs: {},
  tokenizer_class: 'LlamaTokenizer',
  unk_token: '<unk>',
  use_default_system_prompt: false,
}, null, 2) + '\n');

writeFileSync(join(out, 'mistral', 'tokenizer.json'), mistralText);
const mistralConfig = JSON.parse(readFileSync(join(mistralJson, '..', 'tokenizer_config.json'), 'utf8'));
mistralConfig.chat_template = template('mistral-instruct-v0.1.jinja');
writeFileSync(join(out, 'mistral', 'tokenizer_config.json'), JSON.stringify(mistralConfig, null, 2) + '\n');
console.log(`real tokenizers: llama-2 ${pieces.length} pieces, ${merges.length} merges; mistral copied`);
