#!/usr/bin/python3
"""GraphSAGE: panicsage's trainer and capture-side forward pass against
an equivalent PyTorch CPU implementation on the same graph.

Reads what build/tests/sage-bench wrote into DIR (the case embeddings
h0, the k-NN graph, labels, the held-out split, the frozen model and the
C timings) and:
  training   the same model in PyTorch: mean-aggregator SAGE layers
             (W_self h + W_neigh mean(N(v)) + b, ReLU), dropout on every
             layer's input, softmax classifier, class-weighted cross
             entropy over the training cases, Adam with L2 weight decay on
             the weights, Glorot-uniform init, full batch, same epochs;
             time of the training loop and held-out accuracy;
  inference  the frozen model's float weights and stored embeddings
             (parsed by tests/unit/sage_ref.py) in PyTorch: top-k cosine,
             neighbours >= tau, layers, softmax; time per case with all
             cases in one batch, and with one case per call as the
             capture kernel has it; agreement with the C labels.
One thread on both sides (torch.set_num_threads(1); the trainer's BLIS
is single-threaded).  Training time: best of as many runs as the C side
made (meta.json train_runs).

  sage_vs_torch.py DIR [--json FILE]
"""
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "unit"))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    d = sys.argv[1]
    out_json = sys.argv[3] if len(sys.argv) == 4 and sys.argv[2] == "--json" else None
    try:
        import torch
        import torch.nn.functional as F
    except ImportError as e:
        print("sage_vs_torch: PyTorch not available (%s); apt install python3-torch" % e)
        if out_json:
            json.dump({"error": "python3-torch not installed"}, open(out_json, "w"))
        return 0
    import sage_ref

    torch.set_num_threads(1)
    torch.manual_seed(1)
    meta = json.load(open(os.path.join(d, "meta.json")))
    n, dim, hid, K, k, C = (meta[x] for x in ("n", "dim", "hidden", "nlayers", "k", "nlabels"))
    h0 = torch.from_numpy(np.fromfile(os.path.join(d, "h0.f32"), dtype="<f4").reshape(n, dim).copy())
    nbr = np.fromfile(os.path.join(d, "nbr.u32"), dtype="<u4").reshape(n, k)
    nnbr = np.fromfile(os.path.join(d, "nnbr.u32"), dtype="<u4")
    truth = np.fromfile(os.path.join(d, "truth.i32"), dtype="<i4")
    train = np.fromfile(os.path.join(d, "train.i32"), dtype="<i4")
    pred_c = np.fromfile(os.path.join(d, "pred_f32.i32"), dtype="<i4")

    # mean aggregation as a sparse matrix
    rows, cols, vals = [], [], []
    for v in range(n):
        for i in range(int(nnbr[v])):
            rows.append(v)
            cols.append(int(nbr[v, i]))
            vals.append(1.0 / float(nnbr[v]))
    A = torch.sparse_coo_tensor(torch.tensor([rows, cols], dtype=torch.long),
                                torch.tensor(vals, dtype=torch.float32), (n, n)).coalesce()

    dims = [dim] + [hid] * K
    lab = torch.from_numpy(train.astype(np.int64))
    tr_idx = (lab >= 0).nonzero().flatten()
    counts = torch.bincount(lab[tr_idx], minlength=C).double()
    cls_w = torch.where(counts > 0, 1.0 / counts.clamp(min=1).sqrt(), torch.zeros_like(counts))
    cls_w = (cls_w / (cls_w * counts).sum()).float()
    p = meta["dropout"]

    def train_once():
        ws, wn, bs = [], [], []
        for l in range(K):
            for lst in (ws, wn):
                w = torch.empty(dims[l + 1], dims[l])
                torch.nn.init.xavier_uniform_(w)
                lst.append(w.requires_grad_())
            bs.append(torch.zeros(dims[l + 1], requires_grad=True))
        cw = torch.empty(C, dims[K])
        torch.nn.init.xavier_uniform_(cw)
        cw.requires_grad_()
        cb = torch.zeros(C, requires_grad=True)
        opt = torch.optim.Adam([{"params": ws + wn + [cw], "weight_decay": meta["weight_decay"]},
                                {"params": bs + [cb], "weight_decay": 0.0}], lr=meta["lr"])

        def forward(training):
            h = h0
            for l in range(K):
                h = F.dropout(h, p, training)
                h = torch.relu(h @ ws[l].T + torch.sparse.mm(A, h) @ wn[l].T + bs[l])
            h = F.dropout(h, p, training)
            return h @ cw.T + cb

        t0 = time.perf_counter()
        for _ in range(meta["epochs"]):
            opt.zero_grad()
            logits = forward(True)
            loss = F.cross_entropy(logits[tr_idx], lab[tr_idx], weight=cls_w, reduction="sum")
            loss.backward()
            opt.step()
        dt = time.perf_counter() - t0
        with torch.no_grad():
            return dt, forward(False).argmax(1).numpy()

    # as many runs as the C side (best time), the accuracy of the last
    runs = int(meta.get("train_runs", 1))
    t_train = None
    for _ in range(runs):
        dt, pred = train_once()
        t_train = dt if t_train is None or dt < t_train else t_train
    held = (train < 0) & (truth >= 0)
    acc = float((pred[held] == truth[held]).mean()) if held.any() else 0.0

    # inference with the frozen model's float weights, one batch
    m = sage_ref.load(os.path.join(d, "model.psm"))
    T = lambda a: torch.from_numpy(np.asarray(a, dtype=np.float32))
    emb = [T(e) for e in m["emb"]]
    mws, mwn, mb = [T(w) for w in m["ws"]], [T(w) for w in m["wn"]], [T(b) for b in m["b"]]
    mcw, mcb = T(m["cw"]), T(m["cb"])
    tau = float(m["tau"])
    kk = min(m["p"]["k"], m["p"]["ncases"])

    def infer(q):
        sims = q @ emb[0].T
        s, idx = torch.topk(sims, kk, dim=1)
        mask = (s >= tau).float()
        cnt = mask.sum(1, keepdim=True)
        h = q
        for l in range(K):
            g = emb[l][idx] * mask.unsqueeze(2)
            agg = torch.where(cnt > 0, g.sum(1) / cnt.clamp(min=1), torch.zeros_like(g[:, 0]))
            h = torch.relu(h @ mws[l].T + agg @ mwn[l].T + mb[l])
        return torch.softmax(h @ mcw.T + mcb, dim=1)

    best = None
    with torch.no_grad():
        for _ in range(3):
            t0 = time.perf_counter()
            probs = infer(h0)
            dt = time.perf_counter() - t0
            best = dt if best is None or dt < best else best
        single = None
        for _ in range(3):
            t0 = time.perf_counter()
            for i in range(n):
                infer(h0[i:i + 1])
            dt = time.perf_counter() - t0
            single = dt if single is None or dt < single else single
    pred_t = probs.argmax(1).numpy()
    agree = float((pred_t == pred_c).mean())
    res = {
        "torch": torch.__version__, "threads": 1, "n": n, "held_out": int(held.sum()),
        "epochs": meta["epochs"],
        "train_s_panicsage": meta["train_s"], "train_s_torch": t_train,
        "train_speedup": t_train / meta["train_s"] if meta["train_s"] > 0 else None,
        "acc_panicsage": meta["train_acc_heldout"], "acc_torch": acc,
        "infer_us_panicsage_f32": meta["infer_f32_us"], "infer_us_panicsage_int8": meta["infer_int8_us"],
        "infer_us_torch_batch": best / n * 1e6,
        "infer_speedup": (best / n * 1e6) / meta["infer_f32_us"] if meta["infer_f32_us"] > 0 else None,
        "infer_us_torch_single": single / n * 1e6,
        "infer_speedup_single": (single / n * 1e6) / meta["infer_f32_us"] if meta["infer_f32_us"] > 0 else None,
        "infer_label_agreement": agree, "int8_agrees_f32": meta["int8_agrees_f32"],
    }
    print("GraphSAGE on %d cases (%d held out), %d labels, dims %d-%s, k %d, %d epochs, 1 thread; PyTorch %s"
          % (n, res["held_out"], C, dim, "-".join(str(hid) for _ in range(K)), k, meta["epochs"],
             torch.__version__))
    print("%-22s %14s %14s %9s" % ("", "panicsage", "PyTorch", "speedup"))
    print("%-22s %13.3fs %13.3fs %8.2fx" % ("training", meta["train_s"], t_train, res["train_speedup"]))
    print("%-22s %14.3f %14.3f" % ("held-out accuracy", meta["train_acc_heldout"], acc))
    print("%-22s %12.1fus %12.1fus %8.2fx" % ("inference, one batch", meta["infer_f32_us"], res["infer_us_torch_batch"],
                                           res["infer_speedup"]))
    print("%-22s %12.1fus %12.1fus %8.2fx" % ("inference, one by one", meta["infer_f32_us"],
                                           res["infer_us_torch_single"], res["infer_speedup_single"]))
    print("int8 inference: %.1f us per case, same label as float for %.1f%% of cases"
          % (meta["infer_int8_us"], 100 * meta["int8_agrees_f32"]))
    print("inference labels, panicsage float vs PyTorch on the same weights: %.1f%% identical" % (100 * agree))
    if out_json:
        json.dump(res, open(out_json, "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
