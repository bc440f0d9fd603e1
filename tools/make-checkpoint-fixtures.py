#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Writes the small checkpoint fixtures of tests/test-checkpoint.c into
# tests/fixtures/checkpoint/ with Debian's python3-torch. Run once; the
# output is committed. expected.json lists what the C loader must return.
import argparse
import collections
import io
import json
import os
import pickle
import struct
import zipfile

import torch

FLOAT_DTYPES = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}


def renamed(name):
    if name.startswith("module."):
        name = name[len("module."):]
    if name.endswith(".gamma"):
        name = name[: -len("gamma")] + "weight"
    elif name.endswith(".beta"):
        name = name[: -len("beta")] + "bias"
    return name


def state_dict():
    g = torch.Generator().manual_seed(7)
    sd = collections.OrderedDict()
    enc = torch.randn(3, 4, generator=g)
    sd["module.encoder.weight"] = enc
    sd["module.encoder.LayerNorm.gamma"] = 1 + 0.1 * torch.randn(4, generator=g)
    sd["module.encoder.LayerNorm.beta"] = 0.1 * torch.randn(4, generator=g)
    sd["module.decoder.weight"] = enc          # tied: same storage
    # fp16: normal, subnormal, -0, inf, largest, smallest normal
    sd["module.half"] = torch.tensor([[1.5, -2.25, 6e-8], [-0.0, float("inf"), 65504.0]],
                                     dtype=torch.float16)
    sd["module.bf16"] = torch.tensor([3.140625, -1e-3, 1e30, -7.5, 0.0], dtype=torch.bfloat16)
    sd["module.f64"] = torch.tensor([0.1, -2.5, 1e-9], dtype=torch.float64)
    sd["module.i64"] = torch.tensor([1, -2, 2**40, 7], dtype=torch.int64)
    sd["module.i32"] = torch.tensor([5, -6], dtype=torch.int32)
    sd["module.i16"] = torch.tensor([300, -300], dtype=torch.int16)
    sd["module.i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    sd["module.u8"] = torch.tensor([0, 255, 9], dtype=torch.uint8)
    sd["module.flags"] = torch.tensor([True, False, True])
    base = torch.arange(12, dtype=torch.float32).reshape(4, 3)
    sd["module.slice"] = base[1:3]                       # storage offset 3
    sd["module.transposed"] = torch.randn(3, 5, generator=g).t()   # strides (1, 5)
    sd["module.scalar"] = torch.tensor(2.5)
    sd["module.empty"] = torch.zeros(0, 3)
    return sd


def expected_entries(sd):
    out = []
    seen = {}
    for name, t in sd.items():
        storage = t.untyped_storage() if hasattr(t, "untyped_storage") else t.storage()
        key = storage.data_ptr()
        shares = seen.get(key)
        seen.setdefault(key, renamed(name))
        values = t.to(torch.float64).reshape(-1).tolist() if t.dtype != torch.bool \
            else [float(x) for x in t.reshape(-1).tolist()]
        out.append({
            "name": renamed(name),
            "dtype": FLOAT_DTYPES[t.dtype],
            "shape": list(t.shape),
            "values": [v if v == v and abs(v) != float("inf") else str(v) for v in values],
            "shares_storage_with": shares,
        })
    return out


def safetensors_bytes(tensors):
    """tensors: list of (name, dtype string, shape, raw bytes, alias_of)."""
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    offsets = {}
    for name, dt, shape, raw, alias in tensors:
        if alias is not None:
            header[name] = {"dtype": dt, "shape": shape, "data_offsets": offsets[alias]}
            continue
        offsets[name] = [offset, offset + len(raw)]
        header[name] = {"dtype": dt, "shape": shape, "data_offsets": offsets[name]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    args = ap.parse_args()
    out = args.outdir
    os.makedirs(out, exist_ok=True)

    sd = state_dict()
    torch.save(sd, os.path.join(out, "legacy.pt"), _use_new_zipfile_serialization=False)
    torch.save(sd, os.path.join(out, "zip.pt"))
    # A training checkpoint that wraps the state dict.
    torch.save({"epoch": 3, "model": collections.OrderedDict(
        (k, sd[k]) for k in ("module.encoder.weight", "module.half"))},
        os.path.join(out, "wrapped.pt"))

    # The same archive with every member deflated: the loader must copy.
    with zipfile.ZipFile(os.path.join(out, "zip.pt")) as src, \
         zipfile.ZipFile(os.path.join(out, "zip-deflated.pt"), "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))

    # safetensors by hand: a U8 tensor first so the F32 one is unaligned.
    f32 = torch.tensor([[1.0, -2.0, 3.5], [0.25, 1e-8, -1e8]])
    f16 = torch.tensor([0.5, -1.0, 2.0, 1e-7], dtype=torch.float16)
    bf16 = torch.tensor([1.0, -3.0, 0.5], dtype=torch.bfloat16)
    i64 = torch.tensor([42, -1], dtype=torch.int64)
    u8 = torch.tensor([1, 2, 3], dtype=torch.uint8)

    def raw(t):
        return t.contiguous().view(torch.uint8).numpy().tobytes() if t.dtype != torch.uint8 \
            else t.numpy().tobytes()

    st = [("tag", "U8", [3], raw(u8), None),
          ("w.f32", "F32", [2, 3], raw(f32), None),
          ("w.f16", "F16", [4], raw(f16), None),
          ("w.bf16", "BF16", [3], raw(bf16), None),
          ("w.i64", "I64", [2], raw(i64), None),
          ("w.tied", "F32", [2, 3], None, "w.f32")]
    with open(os.path.join(out, "small.safetensors"), "wb") as f:
        f.write(safetensors_bytes(st))
    # The loader lists tensors in the order of their data in the file.
    order = ["tag", "w.f32", "w.tied", "w.f16", "w.bf16", "w.i64"]
    st_expected = []
    for name, dt, shape, _, alias in sorted(st, key=lambda e: order.index(e[0])):
        t = {"tag": u8, "w.f32": f32, "w.f16": f16, "w.bf16": bf16, "w.i64": i64,
             "w.tied": f32}[name]
        st_expected.append({"name": name, "dtype": dt, "shape": shape,
                            "values": t.to(torch.float64).reshape(-1).tolist(),
                            "shares_storage_with": alias})

    # Refused globals: crafted bytes, never produced by pickling real objects.
    with open(os.path.join(out, "os-system.pkl"), "wb") as f:
        f.write(b"\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03.")
    with open(os.path.join(out, "builtins-eval.pkl"), "wb") as f:
        body = (b"\x8c\x08builtins\x94\x8c\x04eval\x94\x93\x94"
                b"\x8c\x041+1\x94\x85\x94R\x94.")
        f.write(b"\x80\x04\x95" + struct.pack("<Q", len(body)) + body)
    # A state dict whose second entry is built by a refused global.
    with open(os.path.join(out, "nested-forbidden.pkl"), "wb") as f:
        f.write(b"\x80\x02ccollections\nOrderedDict\n)R(X\x01\x00\x00\x00a"
                b"K\x01X\x01\x00\x00\x00bcsubprocess\nPopen\nX\x02\x00\x00\x00ls\x85Ru.")

    # Plain values in every protocol.
    values = {"int": 7, "neg": -300000, "big": 2**40, "float": 1.5, "str": "h\u00e9llo \u4e2d",
              "bytes": b"\x00\xffab", "list": [1, "two", 3.0], "tuple": (1, 2), "none": None,
              "true": True, "false": False, 1001: "int key", "set": {3},
              "nested": {"a": [None]}}
    for p in range(6):
        with open(os.path.join(out, "values-p%d.pkl" % p), "wb") as f:
            pickle.dump(values, f, protocol=p)
    ns = argparse.Namespace(max_seq_length=70, do_lower_case=True, lr=5e-5,
                            device=torch.device("cpu"), name="x")
    for p in (0, 2, 4):
        with open(os.path.join(out, "namespace-p%d.pkl" % p), "wb") as f:
            pickle.dump(ns, f, protocol=p)
    torch.save(ns, os.path.join(out, "namespace-legacy.bin"), _use_new_zipfile_serialization=False)

    # Answer pickles with a dict not in index order.
    with open(os.path.join(out, "ans2label-unordered.pkl"), "wb") as f:
        pickle.dump({"no": 1, "yes": 0, "two": 2}, f, protocol=2)

    expected = {
        "legacy.pt": expected_entries(sd),
        "zip.pt": expected_entries(sd),
        "zip-deflated.pt": expected_entries(sd),
        "small.safetensors": st_expected,
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
