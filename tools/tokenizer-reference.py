#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# A plain-Python statement of the tokenizer that model/ov-tokenizer.c must
# match: BERT's uncased basic tokenizer and WordPiece as Oscar ran them
# (pytorch-transformers 1.0, do_lower_case=True, CPython 3.11, whose
# unicodedata is Unicode 14.0). Standard library only.
#
#   python3 tools/tokenizer-reference.py encode VOCAB < texts.jsonl
#       one JSON string per input line in, {"text", "ids"} per line out
#   python3 tools/tokenizer-reference.py write VOCAB OUT [SEED]
#       writes tests/data/tokenizer-differential.jsonl: texts that the C
#       tokenizer once read differently, hand-picked edges and random texts
#       of every kind the tests cover, each with its ids here, whether it
#       gives no token at all, and the decodes of those ids
#
# Regenerate the test data after changing this file with
#   python3 tools/tokenizer-reference.py write \
#       ../shared/data/vocab/bert-base-uncased-vocab.txt \
#       tests/data/tokenizer-differential.jsonl
# on a Python whose unicodedata.unidata_version is 14.0.0.
import json
import random
import sys
import unicodedata

SPECIAL = ["[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"]
MAX_CHARS_PER_WORD = 100

# The blocks BERT counts as CJK ideographs and pads with spaces.
CJK_BLOCKS = [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
              (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)]


def read_vocab(path):
    """token -> id: line n is id n, and a repeated token keeps its last line."""
    with open(path, encoding="utf-8") as f:
        lines = [line[:-1] if line.endswith("\n") else line for line in f]
    vocab = {}
    for n, line in enumerate(lines):
        vocab[line] = n
    return vocab, lines


def blank(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch)[0] == "C"


def punctuation(ch):
    o = ord(ch)
    if 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126:
        return True
    return unicodedata.category(ch)[0] == "P"


def ideograph(ch):
    o = ord(ch)
    return any(lo <= o <= hi for lo, hi in CJK_BLOCKS)


def cleaned(text):
    """Drop NUL, U+FFFD and control characters, white space to one blank,
    and blanks on both sides of every CJK ideograph."""
    parts = []
    for ch in text:
        if ch == "\0" or ch == "\ufffd" or control(ch):
            continue
        if blank(ch):
            parts.append(" ")
        elif ideograph(ch):
            parts.append(" " + ch + " ")
        else:
            parts.append(ch)
    return "".join(parts)


def punct_split(word):
    pieces, current = [], ""
    for ch in word:
        if punctuation(ch):
            if current:
                pieces.append(current)
                current = ""
            pieces.append(ch)
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def basic_words(text):
    words = []
    for word in cleaned(text).split():
        # A word equal to a special token (as cleaning can make one) keeps its
        # case, but pytorch-transformers 1.0 still splits its brackets off.
        if word not in SPECIAL:
            word = word.lower()
            word = "".join(ch for ch in unicodedata.normalize("NFD", word)
                           if unicodedata.category(ch) != "Mn")
        words.extend(punct_split(word))
    return " ".join(words).split()


def word_pieces(word, vocab):
    if len(word) > MAX_CHARS_PER_WORD:
        return ["[UNK]"]
    pieces, start = [], 0
    while start < len(word):
        for end in range(len(word), start, -1):
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                break
        else:
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces


def split_specials(text, specials, vocab):
    """The special tokens are cut out of the raw text first, one after the
    other; each piece between them is stripped before going on."""
    if not text:
        return []
    if not specials:
        out = []
        for word in basic_words(text):
            out.extend(word_pieces(word, vocab))
        return out
    first, rest = specials[0], specials[1:]
    out = []
    for n, piece in enumerate(text.split(first)):
        if n > 0:
            out.append(first)
        out.extend(split_specials(piece.strip(), rest, vocab))
    return out


def tokenize(text, vocab):
    return split_specials(text, SPECIAL, vocab)


def encode(text, vocab):
    return [vocab.get(t, vocab["[UNK]"]) for t in tokenize(text, vocab)]


def decode(ids, vocab, lines, skip_special):
    special_ids = {vocab[t] for t in SPECIAL}
    tokens = []
    for i in ids:
        if skip_special and i in special_ids:
            continue
        token = lines[i] if 0 <= i < len(lines) else "[UNK]"
        tokens.append(token if vocab.get(token) == i else "[UNK]")
    text = " ".join(tokens).replace(" ##", "").strip()
    for old, new in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"),
                     (" n't", "n't"), (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"),
                     (" 've", "'ve"), (" 're", "'re")]:
        text = text.replace(old, new)
    return text


# --- Test data -------------------------------------------------------------

# Texts that the C tokenizer once read differently from the rules above:
# non-spacing marks alone give no token (the accent strip deletes them),
# which ov_tokenizer_text_is_empty() did not know.
FOUND = ["\u0301", " \u0300\u0301\t\u05b0 ", "\u200d\u0301\u3099", "\U000e0100\u0f71",
         "\u0345", "a\u0301", "\u0301[SEP]"]

# Hand-picked edges of the rules, one or two per rule.
EDGES = [
    "\u039f\u0394\u039f\u03a3 \u03a3\u039f\u03a6\u0399\u0391\u03a3 \u0391\u03a3'\u03a3",
    "\u0391\u03a3\u00ad \u0391\u03a3\u0301\u03a3 \u00aa\u03a3 \u0391\u03a3\u4e2d",
    "\u0130STANBUL \u1e9e \u01c4\u01c5\u01c6 \u2162\u24b6 \u1f88 \u212a\u212b",
    "\u10a0\u1c90 \u13a0\uab70 \U00010400 \U0001e900",
    "[CLS\u200b] [cls] [Sep] ##[MASK]s ([PAD]) [[UNK]] [SEP][SEP]",
    "a" * 100, "a" * 101, "\u00e9" * 100 + " " + "e\u0301" * 101,
    "\uac01" * 33 + " " + "\uac01" * 34, "\u0130" * 100 + " " + "\u0130" * 101,
    "one\u2028two\u2029three\x85four\x1cfive\u3000six\u00a0seven\u180esev",
    "\U00020bb7\U0002a6df\U0002a6e0\U0002b81f\U0002ceaf\U0002ceb0\U00030000\ufa0e\u2f00",
    "\U0001f44d\U0001f3fd \U0001f468\u200d\U0001f469\u200d\U0001f467 \u2764\ufe0f \U0001f6dc",
    "\ufb01nance \uff21\uff22\uff23 \u2103 \u0663\u0664 \u0967\u0968 \U0001d7d8",
    "\ue000\U000f0000\ufdd0\uffff\U0010ffff\U000e0041\ufffd\x7f\x9f x",
    "I do not think it's a dog, isn't it? I'm sure we've seen they're here ' ok !",
    "[CLS] what ' s this ? [SEP] do not ##ing [MASK] . [PAD]",
]


def pools():
    """Code points to draw random text from, by kind."""
    def r(lo, hi):
        return list(range(lo, hi + 1))
    return {
        "ascii": r(0x20, 0x7E),
        "letters": r(0x41, 0x5A) + r(0x61, 0x7A),
        "digits": [c for c in range(0x110000)
                   if unicodedata.category(chr(c)) == "Nd"][:400],
        "latin": r(0xC0, 0x24F) + r(0x1E00, 0x1EFF),
        "marks": r(0x300, 0x36F) + r(0x1AB0, 0x1ACE) + r(0x20D0, 0x20F0) + r(0xFE20, 0xFE2F),
        "greek": r(0x370, 0x3FF) + r(0x1F00, 0x1FFE),
        "cyrillic": r(0x400, 0x52F),
        "hebrew-arabic": r(0x591, 0x5F4) + r(0x600, 0x6FF),
        "indic-thai": r(0x900, 0x97F) + r(0xE01, 0xE5B),
        "cjk": r(0x3000, 0x30FF) + r(0x4E00, 0x4E80) + r(0xF900, 0xFAFF) + r(0x2F800, 0x2FA1F)
        + r(0x20000, 0x20040) + r(0x2A700, 0x2A710) + r(0x2B740, 0x2B750) + r(0x2B820, 0x2B830)
        + r(0x2CEB0, 0x2CEC0) + r(0x30000, 0x30010) + r(0x31350, 0x31360) + r(0x3400, 0x3420)
        + r(0x9FF0, 0x9FFF) + r(0x2A6D0, 0x2A6E5) + r(0x2FA10, 0x2FA25),
        "hangul": r(0xAC00, 0xAC40) + r(0x1100, 0x11FF) + r(0x3131, 0x318E),
        "fullwidth": r(0xFF01, 0xFFEE) + r(0xFB00, 0xFB06) + r(0x2150, 0x218B) + r(0x2460, 0x24FF),
        "cased": [0x130, 0x131, 0x1E9E, 0xDF, 0x1C4, 0x1C5, 0x1C6, 0x3A3, 0x3C2, 0x345, 0x1F88,
                  0x1FBC, 0x2126, 0x212A, 0x212B, 0x10A0, 0x1C90, 0x13A0, 0x13F8, 0xAB70,
                  0xAA, 0xBA, 0x2B0, 0x2C0, 0x1D2C, 0x10400, 0x1E900, 0x16E40, 0xA7C0],
        "ignorable": [0x27, 0x2E, 0x3A, 0xB7, 0x387, 0x2019, 0x2018, 0xAD, 0x200D, 0x5E,
                      0x60, 0xA8, 0x2B9, 0x300, 0x483, 0x20DD, 0xFE0F, 0x1F3FB, 0xE0041],
        "format": [0xAD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202E, 0x2060,
                   0x2066, 0x2069, 0xFEFF, 0x180E, 0x61C, 0xFFF9, 0x110BD, 0x1D173, 0xE0001]
        + r(0xE0020, 0xE007F) + r(0xFE00, 0xFE0F) + r(0xE0100, 0xE0110),
        "control": r(0x0, 0x1F) + r(0x7F, 0x9F) + [0xFFFD, 0xFFFE, 0xFFFF, 0xFDD0, 0x10FFFF,
                                                  0xE000, 0xF8FF, 0xF0000, 0x100000],
        "space": [0x20, 0x9, 0xA, 0xD, 0xB, 0xC, 0x1C, 0x1F, 0x85, 0xA0, 0x1680, 0x2000,
                  0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0x180E, 0x200B],
        "punct": r(0x21, 0x2F) + r(0x3A, 0x40) + r(0x5B, 0x60) + r(0x7B, 0x7E)
        + r(0x2010, 0x2027) + r(0x2030, 0x205E) + r(0x3001, 0x3003) + r(0xFF01, 0xFF0F)
        + r(0x2E00, 0x2E5D) + [0xA1, 0xBF, 0x55A, 0x60C, 0x964, 0x1800, 0x10100, 0x1E95E],
        "symbols": r(0xA2, 0xBF) + r(0x2100, 0x214F) + r(0x2190, 0x21FF) + r(0x2200, 0x22FF)
        + r(0x20A0, 0x20C1),
        "emoji": r(0x1F300, 0x1F64F) + r(0x1F680, 0x1F6FF) + r(0x1F900, 0x1F9FF)
        + r(0x1F3FB, 0x1F3FF) + [0x200D, 0xFE0F, 0x20E3, 0x2764, 0x1F1E6, 0x1F1FA, 0x1FAE8,
                                 0x1F6DC, 0x1FA77],
        "new": [0x1F6DC, 0x1FA77, 0x1FAE8, 0x31350, 0x11F00, 0x11F3F, 0x1E030, 0x0CF3, 0x2FFC,
                0x31EF, 0x1D2C0, 0xE0080],
        "scripts": r(0x10A0, 0x10FF) + r(0x1C90, 0x1CBF) + r(0x13A0, 0x13FD) + r(0xAB70, 0xABBF)
        + r(0x530, 0x58F) + r(0x1E900, 0x1E95F) + r(0x10400, 0x1044F) + r(0x16E40, 0x16E9A),
    }


def random_char(rng, pool):
    if rng.random() < 0.15:
        plane = rng.choice([0, 0, 0, 1, 2, 3, 14, 15, 16])
        c = plane * 0x10000 + rng.randrange(0x10000)
        if 0xD800 <= c <= 0xDFFF:
            c = 0xFFFD
        return chr(c)
    return chr(rng.choice(pool))


def random_text(rng, kinds, vocab_words):
    """A mixture of random characters, vocabulary words and special tokens."""
    kind_names = list(kinds)
    parts = []
    for _ in range(rng.randint(1, 12)):
        roll = rng.random()
        if roll < 0.25:
            word = rng.choice(vocab_words)
            if rng.random() < 0.3:
                word = word.upper() if rng.random() < 0.5 else word.title()
            parts.append(word)
        elif roll < 0.33:
            token = rng.choice(SPECIAL)
            if rng.random() < 0.4:
                token = "".join(ch.lower() if rng.random() < 0.5 else ch for ch in token)
            if rng.random() < 0.3:
                at = rng.randint(1, len(token) - 1)
                token = token[:at] + chr(rng.choice([0x200B, 0xAD, 0x7, 0xFEFF, 0x200D])) \
                    + token[at:]
            parts.append(rng.choice(["", ".", "(", "'", "##"]) + token
                         + rng.choice(["", ",", ")", "!", "s"]))
        elif roll < 0.40:
            n = rng.choice([98, 99, 100, 101, 102, rng.randint(50, 120)])
            ch = rng.choice(["a", "\u00e9", "e\u0301", "\u0130", "\uac01", "\ufb01",
                             "\u03a3", "x\u200b", "\U0001F600", "ab"])
            parts.append((ch * n)[:n + rng.randint(0, 2)])
        else:
            pool = kinds[rng.choice(kind_names)]
            parts.append("".join(random_char(rng, pool)
                                 for _ in range(rng.choice([1, 2, 3, 5, 8, 20]))))
        parts.append(rng.choice([" ", " ", " ", "", "\t", "\n", "\u3000", "\u00a0", "\u2028"]))
    return "".join(parts)


def write(vocab_path, out_path, seed):
    vocab, lines = read_vocab(vocab_path)
    rng = random.Random(seed)
    kinds = pools()
    words = [w for w in lines if w.isalpha() and not w.startswith("[")]
    texts = FOUND + EDGES
    while len(texts) < len(FOUND) + len(EDGES) + 330:
        texts.append(random_text(rng, kinds, words))
    with open(out_path, "w", encoding="utf-8") as out:
        for text in texts:
            # C strings cannot hold U+0000; the clean step deletes it anyway.
            text = text.replace("\0", "")
            ids = encode(text, vocab)
            row = {"text": text, "ids": ids, "empty": not ids,
                   "decode": decode(ids, vocab, lines, False),
                   "decode_skip_special": decode(ids, vocab, lines, True)}
            out.write(json.dumps(row, ensure_ascii=True) + "\n")


def main(argv):
    if unicodedata.unidata_version != "14.0.0":
        sys.exit("this Python has Unicode %s, Oscar's had 14.0.0" % unicodedata.unidata_version)
    if len(argv) >= 3 and argv[1] == "encode":
        vocab, _ = read_vocab(argv[2])
        for line in sys.stdin:
            text = json.loads(line)
            print(json.dumps({"text": text, "ids": encode(text, vocab)}, ensure_ascii=True))
        return 0
    if len(argv) >= 4 and argv[1] == "write":
        write(argv[2], argv[3], int(argv[4]) if len(argv) > 4 else 14)
        return 0
    sys.exit(__doc__ or "usage: see the head of this file")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
