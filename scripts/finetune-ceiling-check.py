#!/usr/bin/python3
"""Independent check of `neoich finetune --ceiling-folds` with scikit-learn.

Could any re-weighting of the classifier's last layer raise the external AUC, given far more external cases than
the 12 of 001_…? Reads the last layer's inputs that `neoich evaluate-cls --features` wrote for the external set
(features.csv, predictions.csv) and, optionally, for the development test set, and reports:
  * the variance along the first principal components of the external features (NeoICH prints the same numbers),
  * the unchanged model's external AUC,
  * the pooled out-of-fold AUC of logistic regressions (L2, several C) trained on 4/5 of the external cases
    (5-fold, stratified, 5 repetitions), and of ones trained on the development cases plus 4/5 of the external.

    scripts/finetune-ceiling-check.py EXTERNAL_DIR [DEVELOPMENT_DIR]
"""
import csv, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler


def load(folder):
    rows = list(csv.reader(open(f"{folder}/features.csv")))[1:]
    ids = [r[0] for r in rows]
    y = np.array([int(r[1]) for r in rows])
    x = np.array([[float(v) for v in r[3:]] for r in rows])
    p = {r["case"]: float(r["probability"]) for r in csv.DictReader(open(f"{folder}/predictions.csv"))}
    return x, y, np.array([p[i] for i in ids])


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    xb, yb, pb = load(sys.argv[1])
    development = load(sys.argv[2]) if len(sys.argv) == 3 else None
    centred = xb - xb.mean(0)
    s = np.linalg.svd(centred, compute_uv=False) ** 2
    print("principal variance (external):", " ".join(f"{v:.3f}" for v in (s / s.sum())[:5]))
    print(f"unchanged model: external AUC {roc_auc_score(yb, pb):.3f} ({len(yb)} cases)")
    scaler = StandardScaler().fit(development[0] if development else xb)
    for c in (0.003, 0.03, 0.3, 3.0):
        own, pooled = [], []
        for repeat in range(5):
            out_own, out_pooled = np.zeros(len(yb)), np.zeros(len(yb))
            for train, test in StratifiedKFold(5, shuffle=True, random_state=repeat).split(xb, yb):
                model = LogisticRegression(C=c, max_iter=10000).fit(scaler.transform(xb[train]), yb[train])
                out_own[test] = model.decision_function(scaler.transform(xb[test]))
                if development:
                    xs = np.vstack([development[0], xb[train]]); ys = np.concatenate([development[1], yb[train]])
                    model = LogisticRegression(C=c, max_iter=10000).fit(scaler.transform(xs), ys)
                    out_pooled[test] = model.decision_function(scaler.transform(xb[test]))
            own.append(roc_auc_score(yb, out_own))
            if development:
                pooled.append(roc_auc_score(yb, out_pooled))
        line = f"C {c:<6} last layer on 4/5 of the external cases: out-of-fold AUC {np.mean(own):.3f} (SD {np.std(own):.3f})"
        if development:
            line += f"; on the development cases + 4/5 external: {np.mean(pooled):.3f}"
        print(line)


if __name__ == "__main__":
    main()
