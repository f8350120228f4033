#!/usr/bin/env python3
"""Writes a tiny seed corpus for FuzzNPY into the directory given (standard library only):
.npy files of each format version, both float widths, 0-d to 3-d shapes, and a few refusals."""
import os
import struct
import sys


def npy(descr, shape, values, version=1, fortran=False, fmt="<f"):
    shape_text = repr(tuple(shape))
    header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape_text}, }}"
    prefix = 10 if version == 1 else 12
    header += " " * ((64 - (prefix + len(header) + 1) % 64) % 64) + "\n"
    length = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    payload = b"".join(struct.pack(fmt, v) for v in values)
    return b"\x93NUMPY" + bytes([version, 0]) + length + header.encode("latin-1") + payload


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
seeds = {
    "f4-2x3": npy("<f4", (2, 3), [0.5, -1, 2, 3.25, 0, 1e-3]),
    "f8-4": npy("<f8", (4,), [1, 2, 3, 4], fmt="<d"),
    "f4-scalar": npy("<f4", (), [7.0]),
    "f4-empty": npy("<f4", (0, 48, 48), []),
    "f4-2x2x2-v2": npy("<f4", (2, 2, 2), [float(i) for i in range(8)], version=2),
    "f8-1x3-v3": npy("<f8", (1, 3), [0.25, 0.5, 0.75], version=3, fmt="<d"),
    "fortran": npy("<f4", (2, 2), [1, 2, 3, 4], fortran=True),
    "int64": npy("<i8", (2,), [1, 2], fmt="<q"),
    "truncated": npy("<f4", (4, 4), [1, 2]),
}
for name, data in seeds.items():
    with open(os.path.join(out, name + ".npy"), "wb") as f:
        f.write(data)
