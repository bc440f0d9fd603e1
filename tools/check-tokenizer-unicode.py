#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Checks the Unicode tables in model/ov-tokenizer.c. Oscar's tokenizer ran on
# Python 3.11 (unicodedata 14.0); ours asks GLib. This script walks every code
# point, asks both (GLib through ctypes), and fails when the differences it
# finds are not exactly the ones ov-tokenizer.c corrects for. Run it after a
# GLib upgrade: python3 tools/check-tokenizer-unicode.py. With --write it
# first writes model/ov-unicode14.h, the code points Unicode 14.0 assigns,
# from this Python's unicodedata.
import ctypes
import ctypes.util
import pathlib
import re
import sys
import unicodedata

SOURCE = pathlib.Path(__file__).resolve().parent.parent / "model" / "ov-tokenizer.c"
ASSIGNED = SOURCE.with_name("ov-unicode14.h")
ASSIGNED_HEAD = """/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The code points that Unicode 14.0 assigns (every general category but
 * Cn), as Python 3.11's unicodedata has them: the characters Oscar's
 * tokenizer knew. Written by tools/check-tokenizer-unicode.py --write;
 * included by ov-tokenizer.c only.
 */
#pragma once

static const CodeRange unicode14_assigned[] = {
"""

# GUnicodeType order, as in glib/gunicode.h.
GLIB_TYPES = ["Cc", "Cf", "Cn", "Co", "Cs", "Ll", "Lm", "Lo", "Lt", "Lu", "Mc", "Me", "Mn",
              "Nd", "Nl", "No", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "Sc", "Sk", "Sm",
              "So", "Zl", "Zp", "Zs"]


def to_ranges(points):
    ranges = []
    for c in points:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return [tuple(r) for r in ranges]


def write_assigned(ranges):
    lines, line = [], " "
    for r in ranges:
        item = " { 0x%04X, 0x%04X }," % r
        if len(line) + len(item) > 100:
            lines.append(line)
            line = " "
        line += item
    lines.append(line.rstrip(","))
    ASSIGNED.write_text(ASSIGNED_HEAD + "\n".join(lines) + "\n};\n", encoding="utf-8")


def table_in_source(name, source=SOURCE):
    text = source.read_text(encoding="utf-8")
    match = re.search(r"%s\[\] = \{(.*?)\};" % name, text, re.S)
    if match is None:
        sys.exit("%s: table %s not found" % (SOURCE, name))
    pairs = re.findall(r"\{\s*0x([0-9A-Fa-f]+),\s*0x([0-9A-Fa-f]+)\s*\}", match.group(1))
    return [(int(a, 16), int(b, 16)) for a, b in pairs]


def list_in_source(name):
    text = SOURCE.read_text(encoding="utf-8")
    match = re.search(r"%s\[\] = \{(.*?)\};" % name, text, re.S)
    if match is None:
        sys.exit("%s: list %s not found" % (SOURCE, name))
    return {int(v, 16) for v in re.findall(r"0x([0-9A-Fa-f]+)", match.group(1))}


def lower_class(ch):
    """How Python's final-sigma rule sees ch: cased, case-ignorable or neither."""
    if (ch + "\u03a3").lower()[-1] == "\u03c2":
        return "cased"
    if ("A" + ch + "\u03a3").lower()[-1] == "\u03c2":
        return "ignorable"
    return "other"


def main():
    if unicodedata.unidata_version != "14.0.0":
        print("this Python has Unicode %s, Oscar's had 14.0.0: nothing to compare"
              % unicodedata.unidata_version)
        return 0
    glib = ctypes.CDLL(ctypes.util.find_library("glib-2.0"))
    glib.g_unichar_type.restype = ctypes.c_int
    glib.g_unichar_type.argtypes = [ctypes.c_uint32]
    glib.g_unichar_tolower.restype = ctypes.c_uint32
    glib.g_unichar_tolower.argtypes = [ctypes.c_uint32]

    assigned = to_ranges([c for c in range(0x110000) if unicodedata.category(chr(c)) != "Cn"])
    if "--write" in sys.argv[1:]:
        write_assigned(assigned)
    word_break = list_in_source("word_break_ignorable")
    lower_diff, other_cased, category_diff, ignorable_diff = [], [], [], []
    for c in range(1, 0x110000):
        if 0xD800 <= c <= 0xDFFF:
            continue
        ch = chr(c)
        py_cat = unicodedata.category(ch)
        glib_cat = GLIB_TYPES[glib.g_unichar_type(c)]
        # unassigned in Unicode 14.0: ov-unicode14.h makes it Cn, whatever GLib says
        if py_cat == "Cn":
            continue
        if py_cat != glib_cat:
            category_diff.append(c)
            continue
        lowered = ch.lower()
        if len(lowered) == 1 and c != 0x3A3 and ord(lowered) != glib.g_unichar_tolower(c):
            lower_diff.append(c)
        kind = lower_class(ch)
        if kind == "cased" and py_cat not in ("Ll", "Lu", "Lt"):
            other_cased.append(c)
        ours = py_cat in ("Mn", "Me", "Cf", "Lm", "Sk") or c in word_break
        if ours != (kind == "ignorable") and c != 0x3A3:
            ignorable_diff.append(c)

    failed = False
    if assigned != table_in_source("unicode14_assigned", ASSIGNED):
        failed = True
        print("%s differs from this Python's Unicode 14.0; rewrite it with --write"
              % ASSIGNED.name)
    found = to_ranges(other_cased)
    if found != table_in_source("other_cased"):
        failed = True
        print("other_cased differs; it should read:")
        print("  " + ", ".join("{ 0x%04X, 0x%04X }" % r for r in found))
    # append_py_lower() shifts these two blocks itself.
    expected_lower = list(range(0x2160, 0x2170)) + list(range(0x24B6, 0x24D0))
    if lower_diff != expected_lower:
        failed = True
        print("lower-case differences changed: %s"
              % ", ".join("U+%04X" % c for c in lower_diff))
    if ignorable_diff:
        failed = True
        print("case-ignorable differences: %s"
              % ", ".join("U+%04X" % c for c in ignorable_diff[:50]))
    if category_diff:
        failed = True
        print("categories differ for assigned characters: %s"
              % ", ".join("U+%04X" % c for c in category_diff[:50]))
    print("tables in %s: %s" % (SOURCE.name, "out of date" if failed else "match"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
