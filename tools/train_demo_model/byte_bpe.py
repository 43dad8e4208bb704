"""A byte-level BPE tokenizer trained on the generated conversations, written as a Hugging
Face tokenizer.json with Qwen2's pre-tokenizer, so it runs unchanged in Hugging Face's
tokenizers, in vkmoe, and (as GGUF tokenizer.ggml.pre "qwen2") in llama.cpp.
"""
import collections
import json
import re

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

# Qwen2's split regex as tokenizer.json stores it.
QWEN2_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"
               r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
# The same for ASCII text in Python's re, which lacks \p{..}: training text is ASCII only.
_ASCII_SPLIT = re.compile(r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\nA-Za-z0-9]?[A-Za-z]+|[0-9]|"
                          r" ?[^\sA-Za-z0-9]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
_SPECIAL_SPLIT = re.compile("(" + "|".join(re.escape(t) for t in SPECIAL_TOKENS) + ")")


def _byte_alphabet():
    """GPT-2's map from bytes to printable characters."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    chars = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return {b: chr(c) for b, c in zip(printable, chars)}


BYTE_CHARS = _byte_alphabet()


def _pieces(text):
    """Pre-tokens of ordinary text (no special tokens), in GPT-2 byte characters."""
    assert text.isascii(), "training text is ASCII"
    return ["".join(BYTE_CHARS[b] for b in m.group(0).encode()) for m in _ASCII_SPLIT.finditer(text)]


class ByteBpe:
    def __init__(self, merges):
        self.merges = merges
        self.rank = {pair: i for i, pair in enumerate(merges)}
        self.vocab = {t: i for i, t in enumerate(SPECIAL_TOKENS)}
        for b in range(256):
            self.vocab[BYTE_CHARS[b]] = len(self.vocab)
        for a, b in merges:
            self.vocab[a + b] = len(self.vocab)
        self.cache = {}

    @staticmethod
    def train(texts, vocab_size):
        counts = collections.Counter()
        for text in texts:
            for part in _SPECIAL_SPLIT.split(text):
                if part and part not in SPECIAL_TOKENS:
                    counts.update(_pieces(part))
        words = {tuple(w): n for w, n in counts.items()}
        merges = []
        while len(SPECIAL_TOKENS) + 256 + len(merges) < vocab_size:
            pairs = collections.Counter()
            for w, n in words.items():
                for pair in zip(w, w[1:]):
                    pairs[pair] += n
            if not pairs:
                break
            best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
            merges.append(best)
            words = {ByteBpe._merge(w, best): n for w, n in words.items()}
        return ByteBpe(merges)

    @staticmethod
    def _merge(word, pair):
        out, i = [], 0
        while i < len(word):
            if i + 1 < len(word) and (word[i], word[i + 1]) == pair:
                out.append(word[i] + word[i + 1])
                i += 2
            else:
                out.append(word[i])
                i += 1
        return tuple(out)

    def _bpe(self, piece):
        if piece not in self.cache:
            word = tuple(piece)
            while len(word) > 1:
                ranked = [(self.rank.get(p, len(self.rank)), p) for p in zip(word, word[1:])]
                rank, pair = min(ranked)
                if rank == len(self.rank):
                    break
                word = self._merge(word, pair)
            self.cache[piece] = [self.vocab[t] for t in word]
        return self.cache[piece]

    def encode(self, text):
        ids = []
        for part in _SPECIAL_SPLIT.split(text):
            if part in SPECIAL_TOKENS:
                ids.append(self.vocab[part])
            elif part:
                for piece in _pieces(part):
                    ids.extend(self._bpe(piece))
        return ids

    def decode(self, ids):
        inverse = {c: b for b, c in BYTE_CHARS.items()}
        tokens = {i: t for t, i in self.vocab.items()}
        text = "".join(tokens[i] for i in ids)
        out = bytearray()
        for ch in text:
            if ch in inverse:
                out.append(inverse[ch])
            else:  # a special token's own characters
                out.extend(ch.encode())
        return out.decode(errors="replace")

    def tokenizer_json(self):
        byte_level = {"add_prefix_space": False, "trim_offsets": False, "use_regex": False}
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                              "normalized": False, "special": True} for i, t in enumerate(SPECIAL_TOKENS)],
            "normalizer": {"type": "NFC"},
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": QWEN2_SPLIT}, "behavior": "Isolated", "invert": False},
                dict(type="ByteLevel", **byte_level)]},
            "post_processor": dict(type="ByteLevel", **byte_level),
            "decoder": dict(type="ByteLevel", **byte_level),
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                      "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": self.vocab, "merges": [a + " " + b for a, b in self.merges]},
        }
