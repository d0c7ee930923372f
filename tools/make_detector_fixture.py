"""Writes the tiny TorchScript detectors that stand in for StyleGAN-V's i3d_torchscript.pt in the tests.

Run with Debian's PyTorch (/usr/bin/python3, python3-torch):
    /usr/bin/python3 tools/make_detector_fixture.py tests/ViTok.Tests/Fixtures/torchscript

tiny_detector.pt:          forward(x, rescale: bool, resize: bool, return_features: bool), the order StyleGAN-V's
                           detector is called with by keyword.
tiny_detector_reordered.pt: the same network with forward(x, return_features: bool, rescale: bool, resize: bool), to
                           check that the caller maps the flags by name, not by position.
detector_input.npy:        a clip batch [2, 3, 4, 8, 8] in [-1, 1].
detector_features.npy:     the expected output of detector(x, rescale=False, resize=False, return_features=True): [2, 6].
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F


class TinyDetector(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(6, 6)
        self.head = torch.nn.Linear(6, 3)

    def features(self, x: torch.Tensor, rescale: bool, resize: bool) -> torch.Tensor:
        if rescale:
            x = x / 127.5 - 1.0
        if resize:
            x = F.interpolate(x, size=(x.shape[2], 224, 224), mode="trilinear", align_corners=False)
        # Per-channel mean and spread over time and space: [B, 6].
        stats = torch.cat([x.mean(dim=(2, 3, 4)), x.std(dim=(2, 3, 4))], dim=1)
        return torch.tanh(self.proj(stats))

    def forward(self, x: torch.Tensor, rescale: bool = False, resize: bool = False,
                return_features: bool = False) -> torch.Tensor:
        f = self.features(x, rescale, resize)
        if return_features:
            return f
        return self.head(f).softmax(dim=1)


class TinyDetectorReordered(TinyDetector):
    def forward(self, x: torch.Tensor, return_features: bool = False, rescale: bool = False,
                resize: bool = False) -> torch.Tensor:
        f = self.features(x, rescale, resize)
        if return_features:
            return f
        return self.head(f).softmax(dim=1)


def main(out: str) -> None:
    torch.manual_seed(3)
    a = TinyDetector().eval()
    b = TinyDetectorReordered().eval()
    b.load_state_dict(a.state_dict())
    torch.jit.save(torch.jit.script(a), os.path.join(out, "tiny_detector.pt"))
    torch.jit.save(torch.jit.script(b), os.path.join(out, "tiny_detector_reordered.pt"))
    g = torch.Generator().manual_seed(5)
    x = torch.rand(2, 3, 4, 8, 8, generator=g) * 2 - 1
    with torch.no_grad():
        f = a(x, rescale=False, resize=False, return_features=True)
        assert torch.allclose(f, b(x, rescale=False, resize=False, return_features=True))
    np.save(os.path.join(out, "detector_input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(out, "detector_features.npy"), f.numpy().astype(np.float32))


if __name__ == "__main__":
    main(sys.argv[1])
