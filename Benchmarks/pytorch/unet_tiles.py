#!/usr/bin/python3
"""The segmentation network of a NeoICH model folder run in PyTorch eager (Debian python3-torch, same libtorch)
on the same number of sliding-window tiles as `neoich segment`: nnU-Net's own PlainConvUNet class
(dynamic_network_architectures) built from plans.json, NeoICH's weights loaded from model.safetensors (the
state-dict names are nnU-Net's), batch-1 inference forwards without deep supervision, like nnU-Net's predictor.

Prints "seconds <best> <median> gflop_per_forward <g>"; FLOPs are counted with forward hooks on every
convolution (2 · Cin/groups · k³ · Cout per output voxel; transposed: per input voxel).
Usage: unet_tiles.py MODEL_DIR FORWARDS REPEATS
TORCH_DEVICE=cuda runs it on the GPU (default cpu); TORCH_AUTOCAST=fp16|bf16 under torch.autocast there.
Needs: /usr/bin/python3 -m pip install --break-system-packages --no-deps dynamic-network-architectures safetensors"""
import json
import os
import sys
import time

import torch
from dynamic_network_architectures.architectures.unet import PlainConvUNet
from safetensors.torch import load_file

folder, forwards, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(int(os.environ.get("NEOICH_THREADS", os.cpu_count() or 1)))
plans = json.load(open(os.path.join(folder, "plans.json")))
features, topology = plans["featuresPerStage"], plans["topology"]
n = len(features)
net = PlainConvUNet(1, n, features, torch.nn.Conv3d, topology["kernelSizes"], topology["strides"],
                    [plans.get("convolutionsPerStage", 2)] * n, len(plans["labelNames"]),
                    [plans.get("convolutionsPerDecoderStage", 2)] * (n - 1), True, torch.nn.InstanceNorm3d,
                    {"eps": 1e-5, "affine": True}, None, None, torch.nn.LeakyReLU, {"inplace": True},
                    deep_supervision=False)
weights = load_file(os.path.join(folder, "model.safetensors"))
missing, unexpected = net.load_state_dict(weights, strict=False)
# PyTorch lists aliases of shared modules (decoder.encoder.*, *.all_modules.*); NeoICH stores each tensor once.
missing = [k for k in missing if "all_modules" not in k and not k.startswith("decoder.encoder.")]
if missing or unexpected:
    sys.exit(f"state dict mismatch: missing {missing[:5]}, unexpected {unexpected[:5]}")
device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))
autocast = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(os.environ.get("TORCH_AUTOCAST", "fp32"))
net.eval().to(device)

flops = [0.0]


def count(module, inputs, output):
    k = 1
    for s in module.kernel_size:
        k *= s
    if isinstance(module, torch.nn.ConvTranspose3d):
        flops[0] += 2.0 * module.in_channels * module.out_channels / module.groups * k * inputs[0][0, 0].numel()
    else:
        flops[0] += 2.0 * module.in_channels / module.groups * k * output.numel()


for m in net.modules():
    if isinstance(m, (torch.nn.Conv3d, torch.nn.ConvTranspose3d)):
        m.register_forward_hook(count)
x = torch.randn(1, 1, *plans["patchSize"]).to(device)
with torch.no_grad(), torch.autocast(device.type, dtype=autocast, enabled=autocast is not None):
    net(x)
    per_forward = flops[0]
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(forwards):
            net(x).sum().item()
        times.append(time.perf_counter() - t)
times.sort()
print(f"seconds {times[0]:.6f} {times[len(times) // 2]:.6f} gflop_per_forward {per_forward / 1e9:.4f}")
