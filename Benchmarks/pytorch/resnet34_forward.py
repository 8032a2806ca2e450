#!/usr/bin/python3
"""The benchmark's ResNet-34-3D forward in PyTorch eager (Debian python3-torch, same libtorch), using
torch.nn.functional.conv3d's own dispatch. Prints "seconds <best> <median>".
With "train" as fifth argument it times one training step instead (forward in training mode, NLL on
log-softmax, backward, Adam), as `neoich train-cls` does.
Usage: resnet34_forward.py BATCH WIDTH STEM_STRIDE_YX REPEATS [train]
TORCH_DEVICE=cuda runs it on the GPU (default cpu); TORCH_AUTOCAST=fp16|bf16 puts inference under torch.autocast."""
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

batch, width, stem, repeats = (int(a) for a in sys.argv[1:5])
train = sys.argv[5:6] == ["train"]
torch.set_num_threads(int(os.environ.get("NEOICH_THREADS", os.cpu_count() or 1)))
torch.manual_seed(0)


class Block(nn.Module):
    def __init__(self, i, o, s):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv3d(i, o, 3, s, 1, bias=False), nn.BatchNorm3d(o)
        self.conv2, self.bn2 = nn.Conv3d(o, o, 3, 1, 1, bias=False), nn.BatchNorm3d(o)
        self.downsample = nn.Sequential(nn.Conv3d(i, o, 1, s), nn.BatchNorm3d(o)) if s != 1 or i != o else None

    def forward(self, x):
        r = x if self.downsample is None else self.downsample(x)
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))) + r)


class ResNet34(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv3d(1, w, 7, (1, stem, stem), 3, bias=False), nn.BatchNorm3d(w)
        blocks, i = [], w
        for s, n in enumerate([3, 4, 6, 3]):
            o = w << s
            for j in range(n):
                blocks.append(Block(i, o, 2 if j == 0 and s > 0 else 1))
                i = o
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(i, 2)

    def forward(self, x):
        x = F.max_pool3d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        return self.fc(F.adaptive_avg_pool3d(self.blocks(x), 1).flatten(1))


def timed(step):
    step()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    times.sort()
    print(f"seconds {times[0]:.6f} {times[len(times) // 2]:.6f}")


device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))
autocast = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(os.environ.get("TORCH_AUTOCAST", "fp32"))
x = torch.randn(batch, 1, 20, 200, 200).to(device)
if train:
    net = ResNet34(width).train().to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.000296)
    targets = (torch.arange(batch) % 2).to(device)

    def step():
        optimizer.zero_grad()
        loss = F.nll_loss(F.log_softmax(net(x), dim=1), targets)
        loss.backward()
        optimizer.step()
        loss.item()

    timed(step)
else:
    net = ResNet34(width).eval().to(device)
    with torch.no_grad(), torch.autocast(device.type, dtype=autocast, enabled=autocast is not None):
        timed(lambda: net(x).sum().item())
