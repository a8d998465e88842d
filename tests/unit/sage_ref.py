#!/usr/bin/python3
"""Independent reference for the float GraphSAGE forward pass.

Parses a panicsage model file (.psm) with struct/numpy, checks its
header, section table and checksum, then recomputes for every query of
the cases file: TF-IDF weighting, h0 = normalise(x P), the top-k stored
cases by cosine, the mean-aggregator layers and the softmax.  Compares
with what the C code printed; exits 1 on any difference above 1e-5.
Written from the format description in core/model.h, not from the C."""
import struct
import sys

import numpy as np

TOL = 1e-5


def checksum(buf):
    b = bytearray(buf)
    b[32:40] = b"\0" * 8
    if len(b) % 4:
        b += b"\0" * (4 - len(b) % 4)
    w = np.frombuffer(bytes(b), dtype="<u4").astype(np.uint64)
    a = (1 + np.cumsum(w, dtype=np.uint64)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    bsum = int(np.sum(a, dtype=np.uint64))
    a_last = int(a[-1])
    m = (1 << 64) - 1
    return (bsum ^ ((a_last << 32) & m) ^ (a_last >> 32) ^ len(buf)) & m


def load(path):
    buf = open(path, "rb").read()
    assert buf[:8] == b"PSMODEL\0", "magic"
    ver, hsize, fsize, nsec, flags, csum = struct.unpack_from("<IIQIIQ", buf, 8)
    assert ver == 1 and hsize == 64 and fsize == len(buf), "header"
    assert checksum(buf) == csum, "checksum"
    secs = {}
    for i in range(nsec):
        sid, res, off, size = struct.unpack_from("<IIQQ", buf, 64 + 24 * i)
        assert res == 0 and off % 64 == 0 and off + size <= len(buf)
        secs[sid] = (off, size)
    off, size = secs[1]
    f = struct.unpack_from("<7I f 2I f I 6f 4I", buf, off)
    assert size == struct.calcsize("<7I f 2I f I 6f 4I")
    p = dict(dim=f[0], nbuckets=f[1], nlayers=f[2], ncases=f[3], nlabels=f[4],
             ntemplates=f[5], k=f[6], tau=f[7], dims=list(f[18:22]))

    def f32(sid, rows, cols):
        o, s = secs[sid]
        assert s == rows * cols * 4
        return np.frombuffer(buf, dtype="<f4", count=rows * cols, offset=o).reshape(rows, cols).astype(np.float64)

    d = p["dims"]
    L = p["nlayers"]
    m = dict(p=p)
    m["idf"] = f32(4, 1, p["nbuckets"])[0]
    m["proj"] = f32(6, p["nbuckets"], p["dim"])
    m["ws"] = [f32(0x10 + l, d[l + 1], d[l]) for l in range(L)]
    m["wn"] = [f32(0x20 + l, d[l + 1], d[l]) for l in range(L)]
    m["b"] = [f32(0x30 + l, 1, d[l + 1])[0] for l in range(L)]
    m["emb"] = [f32(0x40 + l, p["ncases"], d[l]) for l in range(L)]
    m["cw"] = f32(7, p["nlabels"], d[L])
    m["cb"] = f32(8, 1, p["nlabels"])[0]
    m["tau"] = np.float32(p["tau"])
    return m


def forward(m, idx, val):
    p = m["p"]
    x = np.log1p(np.array(val, dtype=np.float64)) * m["idf"][idx]
    n = np.linalg.norm(x)
    if n > 0:
        x = x / n
    u = x @ m["proj"][idx]
    n = np.linalg.norm(u)
    h0 = u / n if n > 0 else u
    sims = m["emb"][0] @ h0
    k = min(p["k"], p["ncases"])
    order = np.argsort(-sims, kind="stable")[:k]
    agg_ids = [i for i in order if sims[i] >= m["tau"]]
    h = h0
    for l in range(p["nlayers"]):
        if agg_ids:
            a = m["emb"][l][agg_ids].mean(axis=0)
        else:
            a = np.zeros(p["dims"][l])
        h = np.maximum(m["ws"][l] @ h + m["wn"][l] @ a + m["b"][l], 0)
    z = m["cw"] @ h + m["cb"]
    z = np.exp(z - z.max())
    return h0, order, sims[order], len(agg_ids), h, z / z.sum()


def close(name, a, b, q):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or not np.all(np.abs(a - b) <= TOL):
        err = np.max(np.abs(a - b)) if a.shape == b.shape else "shape"
        print(f"query {q}: {name} differs (max abs diff {err})")
        return False
    return True


def main():
    ok = True
    nq = 0
    worst = 0.0
    lines = open(sys.argv[1]).read().split("\n")
    i = 0
    m = None
    while i < len(lines):
        t = lines[i].split()
        if not t:
            i += 1
            continue
        if t[0] == "model":
            m = load(t[1])
            i += 1
            continue
        assert t[0] == "query"
        n = int(t[1])
        idx = [int(v) for v in t[2::2]]
        val = [float(v) for v in t[3::2]]
        assert len(idx) == n
        c_h0 = [float(v) for v in lines[i + 1].split()[1:]]
        nb = lines[i + 2].split()
        c_nnbr, c_nagg = int(nb[1]), int(nb[2])
        c_ids = [int(v) for v in nb[3::2]]
        c_sims = [float(v) for v in nb[4::2]]
        c_h = [float(v) for v in lines[i + 3].split()[1:]]
        c_p = [float(v) for v in lines[i + 4].split()[1:]]
        i += 5
        h0, order, sims, nagg, h, probs = forward(m, idx, val)
        q = nq
        nq += 1
        ok &= close("h0", c_h0, h0, q)
        if list(order) != c_ids or c_nnbr != len(order) or c_nagg != nagg:
            print(f"query {q}: neighbours differ: C {c_ids} ({c_nagg} aggregated), numpy {list(order)} ({nagg})")
            ok = False
        ok &= close("similarities", c_sims, sims, q)
        ok &= close("last layer", c_h, h, q)
        ok &= close("probabilities", c_p, probs, q)
        worst = max(worst, float(np.max(np.abs(np.array(c_p) - probs))),
                    float(np.max(np.abs(np.array(c_h) - h))) if len(h) else 0.0)
    print(f"sage_ref: {nq} queries, worst abs difference {worst:.3g} (tolerance {TOL})")
    if nq == 0:
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
