#!/usr/bin/env bash
# Wall time and peak memory of `neoich segment` and `neoich predict` on one 512×512×31 synthetic head CT with the
# demo models, and the same segmentation network on the same number of tiles in PyTorch eager (Debian
# python3-torch; needs `pip install --no-deps dynamic-network-architectures safetensors` for /usr/bin/python3).
# Prints figures; asserts nothing. Run from the repository root after `swift build -c release`:
#
#   Benchmarks/segment-predict.sh [MODELS_DIR]      (default Models)
set -euo pipefail
models="${1:-Models}"
bin=".build/release/neoich"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" synth --cases 1 --centre A --seed 4242 --out "$work/ds" > /dev/null
ct="$(ls "$work"/ds/imagesTr/*.nii.gz | head -n 1)"
echo "CT: 512×512×31 synthetic centre-A case; $(nproc) cores, NEOICH_THREADS=${NEOICH_THREADS:-all}"

measure() { # label command…
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2>&1
  read -r wall kb < "$work/time"
  printf '%-40s %6.1f s wall, peak RSS %5.2f GB   %s\n' "$label" "$wall" "$(echo "$kb / 1048576" | bc -l)" \
    "$(grep -o '[0-9]* tiles run, [0-9]* skipped (air)' "$work/out" || true)"
}

measure "segment (mirroring: 8 flips per tile)" "$bin" segment "$ct" -o "$work/m1.nii.gz" --model "$models/segmentation"
mirrored_tiles=$(grep -o '[0-9]* tiles run' "$work/out" | cut -d' ' -f1)
measure "segment (mirroring) --engine libtorch" "$bin" segment "$ct" -o "$work/m0.nii.gz" --model "$models/segmentation" --engine libtorch
measure "segment --no-mirroring" "$bin" segment "$ct" -o "$work/m2.nii.gz" --model "$models/segmentation" --no-mirroring
tiles=$(grep -o '[0-9]* tiles run' "$work/out" | cut -d' ' -f1)
measure "segment --no-mirroring --all-tiles" "$bin" segment "$ct" -o "$work/m3.nii.gz" --model "$models/segmentation" --no-mirroring --all-tiles
measure "predict (mirroring)" "$bin" predict "$ct" -o "$work/p1" --segmentation-model "$models/segmentation" --classifier-model "$models/classifier"
measure "predict (mirroring) --engine libtorch" "$bin" predict "$ct" -o "$work/p0" --engine libtorch --segmentation-model "$models/segmentation" --classifier-model "$models/classifier"
measure "predict --no-mirroring" "$bin" predict "$ct" -o "$work/p2" --no-mirroring --segmentation-model "$models/segmentation" --classifier-model "$models/classifier"
echo "predict stage timings (s), --no-mirroring run:"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("  " + ", ".join("%s %.2f" % (t["stage"], t["seconds"]) for t in r["timings"]))' "$work/p2/report.json"

# The same network on the same tiles (batch-1 forwards, no mirroring) in NeoICH's process vs PyTorch eager.
if python=$(/usr/bin/python3 Benchmarks/pytorch/unet_tiles.py "$models/segmentation" "$tiles" 1 2> "$work/py.err"); then
  read -r _ seconds _ _ gflop <<< "$python"
  echo "PyTorch eager, same network and weights, $tiles tiles: $seconds s network time ($gflop GFLOP per tile)"
  echo "$seconds $gflop $tiles" > "$work/py"
else
  echo "PyTorch comparison skipped: $(tail -n 1 "$work/py.err")"
fi
if [ -f "$work/py" ]; then
  read -r seconds gflop tiles < "$work/py"
  nowall=$(/usr/bin/time -f "%e" "$bin" segment "$ct" -o "$work/m4.nii.gz" --model "$models/segmentation" --no-mirroring 2>&1 >/dev/null | tail -n 1)
  python3 -c "import sys; s,g,t,w=map(float,sys.argv[1:]); print(f'segment --no-mirroring: {w:.1f} s wall for everything (read, normalise, resample, {t:.0f} tiles, write) vs PyTorch {s:.1f} s for the tiles alone: ratio {s/w:.2f}; {g*t/w:.1f} GFLOP/s over the whole command (lower bound)')" "$seconds" "$gflop" "$tiles" "$nowall"
fi

# With mirroring: the 8 flips of every tile in PyTorch eager (8 batch-1 forwards per tile, as nnU-Net's predictor).
if python=$(/usr/bin/python3 Benchmarks/pytorch/unet_tiles.py "$models/segmentation" "$((mirrored_tiles * 8))" 1 2> "$work/py.err"); then
  read -r _ seconds _ _ gflop <<< "$python"
  wall=$(/usr/bin/time -f "%e" "$bin" segment "$ct" -o "$work/m5.nii.gz" --model "$models/segmentation" 2>&1 >/dev/null | tail -n 1)
  python3 -c "import sys; s,g,t,w=map(float,sys.argv[1:]); print(f'segment with mirroring: {w:.1f} s wall for everything ({t:.0f} tiles × 8 flips) vs PyTorch eager {s:.1f} s for the forwards alone: ratio {s/w:.2f}; {g*t*8/w:.1f} GFLOP/s over the whole command, {g*t*8/s:.1f} in PyTorch')" "$seconds" "$gflop" "$mirrored_tiles" "$wall"
fi
