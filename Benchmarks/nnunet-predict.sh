#!/usr/bin/env bash
# `neoich segment` vs `nnUNetv2_predict -device cpu` on the same nnU-Net v2 results folder (the demo segmentation
# model written by `neoich export-nnunet`) and the same CT, in one run: wall time, CPU time and peak memory of each
# whole command. Prints figures; asserts nothing. Needs a release build and a venv with PyPI's nnunetv2:
#
#   swift build -c release --product neoich
#   /usr/bin/python3 -m venv /tmp/venv-nnunet && /tmp/venv-nnunet/bin/pip install nnunetv2
#   Benchmarks/nnunet-predict.sh [CT]        (default Examples/synthetic_A_case1.nii.gz, 512×512×31)
set -euo pipefail
ct="${1:-Examples/synthetic_A_case1.nii.gz}"
bin=".build/release/neoich"
venv="${NNUNET_VENV:-/tmp/venv-nnunet}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
model="$work/results/Dataset902_NeoICHDemo/nnUNetTrainer__nnUNetPlans__3d_fullres"
"$bin" export-nnunet --model Models/segmentation -o "$model" > /dev/null
mkdir -p "$work/in" "$work/raw" "$work/pre"
cp "$ct" "$work/in/case_0000.nii.gz"
echo "CT: $ct; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); nnunetv2 $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("nnunetv2"))')"

measure() { # label command…
  local label="$1"; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > "$work/out" 2>&1 || { tail -n 5 "$work/out"; return 1; }
  read -r wall user sys kb < "$work/time"
  printf '%-48s %6.1f s wall, %6.1f s CPU, peak RSS %5.2f GB\n' "$label" "$wall" "$(echo "$user + $sys" | bc -l)" \
    "$(echo "$kb / 1048576" | bc -l)"
}
nnunet=(env nnUNet_results="$work/results" nnUNet_raw="$work/raw" nnUNet_preprocessed="$work/pre"
        "$venv/bin/nnUNetv2_predict" -i "$work/in" -d 902 -c 3d_fullres -f 0 -device cpu -npp 1 -nps 1)
measure "nnUNetv2_predict -device cpu --disable_tta" "${nnunet[@]}" -o "$work/out1" --disable_tta
measure "neoich segment --no-mirroring" "$bin" segment "$ct" -o "$work/n1.nii.gz" --model "$model" --no-mirroring
measure "nnUNetv2_predict -device cpu (mirroring)" "${nnunet[@]}" -o "$work/out2"
measure "neoich segment (mirroring)" "$bin" segment "$ct" -o "$work/n2.nii.gz" --model "$model"
"$venv/bin/python" - "$work/out1/case.nii.gz" "$work/n1.nii.gz" "$work/out2/case.nii.gz" "$work/n2.nii.gz" <<'PY'
import sys
import numpy as np
import SimpleITK as sitk
read = lambda p: sitk.GetArrayFromImage(sitk.ReadImage(p))
for name, a, b in (("no mirroring", sys.argv[1], sys.argv[2]), ("mirroring", sys.argv[3], sys.argv[4])):
    a, b = read(a), read(b)
    print(f"labels agree ({name}): {(a == b).mean() * 100:.4f} % of {a.size} voxels")
PY
