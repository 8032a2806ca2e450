#!/usr/bin/env python3
"""How much of a centre's per-scan calibration drift a parenchyma reference removes, on ground-truth masks.

For the first 200 cases of each dataset: AUC (neoplastic vs not) of the lesion's mean HU (lower = neoplastic), raw
and after subtracting the scan's median HU of normal-appearing brain (label 0, 15-50 HU), plus the spread of that
median across scans. Reads NIfTI with NumPy alone (no nibabel in Debian's python3).

    scripts/parenchyma-reference-check.py data/Dataset102_NeoICHB data/Dataset103_NeoICHATest
"""
import csv
import gzip
import struct
import sys

import numpy as np
from scipy.stats import rankdata

TYPES = {2: np.uint8, 4: np.int16, 8: np.int32, 16: np.float32, 64: np.float64, 256: np.int8, 512: np.uint16}


def read(path):
    b = gzip.open(path).read()
    dims = struct.unpack("<8h", b[40:56])
    datatype = struct.unpack("<h", b[70:72])[0]
    offset = int(struct.unpack("<f", b[108:112])[0])
    slope, intercept = struct.unpack("<2f", b[112:120])
    n = int(np.prod(dims[1:1 + dims[0]]))
    a = np.frombuffer(b, dtype=TYPES[datatype], count=n, offset=offset).astype(np.float64)
    return a * slope + intercept if slope not in (0.0, 1.0) or intercept != 0.0 else a


def auc(labels, scores):
    labels, ranks = np.asarray(labels), rankdata(scores)
    n1 = labels.sum()
    n0 = len(labels) - n1
    return (ranks[labels == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)


for dataset in sys.argv[1:]:
    rows = list(csv.DictReader(open(f"{dataset}/cohort.csv")))[:200]
    labels, raw, reference = [], [], []
    for row in rows:
        image = read(f"{dataset}/imagesTr/{row['case']}_0000.nii.gz")
        mask = read(f"{dataset}/labelsTr/{row['case']}.nii.gz")
        ich = image[mask == 1]
        if ich.size == 0:
            continue
        labels.append(int(row["label"] == "neoplastic"))
        raw.append(ich.mean())
        reference.append(np.median(image[(mask == 0) & (image > 15) & (image < 50)]))
    raw, reference = np.array(raw), np.array(reference)
    print(f"{dataset}: {len(labels)} cases, AUC(mean ICH HU) raw {auc(labels, -raw):.3f}, "
          f"minus parenchyma median {auc(labels, -(raw - reference)):.3f}; parenchyma median SD {reference.std():.2f} HU")
