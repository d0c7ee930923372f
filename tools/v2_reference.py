#!/usr/bin/python3
"""Independent PyTorch 1.13 re-implementation of the ViTok-v2 NaFlex pipeline and auto-encoder forward.

For cross-checks only (never a runtime or test dependency of ViTok.NET). It was written from the reference
description (vitok-release: vitok/models/ae.py, modules/*, pp/ops.py, pp/io.py); PyTorch 1.13 has no SDPA and no
rms_norm, so attention and RMSNorm are written by hand. Padding is handled by masking keys only.

Usage (run from the repo root, /usr/bin/python3 with python3-torch, python3-pil, python3-numpy):
  tools/v2_reference.py check  GOLDEN_CASE_DIR...                  # compare with golden vectors.safetensors
  tools/v2_reference.py recon  WEIGHTS_DIR VARIANT MAX_TOKENS OUT_DIR IMAGE.png...
  tools/v2_reference.py resize OUT.safetensors                     # bicubic+antialias cross-check vectors
"""
import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

DT = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "BOOL": np.bool_, "BF16": None}


def st_read(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    h = json.loads(b[8:8 + n])
    meta = h.pop("__metadata__", {})
    out = {}
    for k, v in h.items():
        s, e = v["data_offsets"]
        raw = b[8 + n + s:8 + n + e]
        if v["dtype"] == "BF16":
            u = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
            arr = u.view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=DT[v["dtype"]])
        out[k] = torch.from_numpy(arr.copy()).reshape(v["shape"])
    return out, meta


def st_write(path, tensors, meta=None):
    header, blobs, off = {}, [], 0
    if meta:
        header["__metadata__"] = meta
    names = {torch.float32: "F32", torch.int64: "I64", torch.bool: "BOOL"}
    for k in sorted(tensors):
        t = tensors[k].contiguous()
        data = t.numpy().tobytes()
        header[k] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(data)]}
        off += len(data)
        blobs.append(data)
    hb = json.dumps(header).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for d in blobs:
            f.write(d)


# ---------------------------------------------------------------- variant (only what the checks need)
BASES = {"B": (768, 12, 12), "L": (1024, 24, 16), "G": (1728, 32, 24), "T": (3072, 40, 24), "E": (4096, 48, 32)}


def parse_side(s):
    import re
    if s.startswith("w") and "_d" in s and "_h" in s:
        p = s.split("_")
        return int(p[0][1:]), int(p[1][1:]), int(p[2][1:]), float(p[3][1:]) if len(p) > 3 else 2.67
    g = lambda r: re.search(r, s)
    base = re.sub(r"w\d+|d\d+|h\d+|m\d+(?:\.\d+)?", "", s)
    bw, bd, bh = BASES.get(base, (768, 12, 12))
    w, d, h, m = g(r"w(\d+)"), g(r"d(\d+)"), g(r"h(\d+)"), g(r"m(\d+(?:\.\d+)?)")
    return (int(w.group(1)) if w else bw, int(d.group(1)) if d else bd, int(h.group(1)) if h else bh,
            float(m.group(1)) if m else 2.67)


def parse_variant(v):
    towers, strides = v.split("/")
    enc, dec = towers.split("-") if "-" in towers else (towers, towers)
    nums = list(map(int, strides.split("x")))
    t, p, c = nums if len(nums) == 3 else (1, nums[0], nums[1])
    e, d = parse_side(enc), parse_side(dec)
    return dict(enc=e, dec=d, mlp=max(e[3], d[3]), p=p, c=c)


# ---------------------------------------------------------------- model pieces
def rms(x, w, eps=1e-6):
    x32 = x.float()
    return (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps) * w.float()).type_as(x)


def rope_freqs(row, col, dh, theta=10000.0):
    ad = dh // 2
    inv = 1.0 / (theta ** (torch.arange(0, ad, 2).float() / ad))
    fy = row.float()[..., None] * inv
    fx = col.float()[..., None] * inv
    return torch.cat([fy.cos(), fx.cos()], -1), torch.cat([fy.sin(), fx.sin()], -1)


def rope(x, cos, sin):  # x [B,N,H,Dh], cos/sin [B,N,Dh/2]
    xr, xi = x.reshape(*x.shape[:-1], -1, 2).unbind(-1)
    c, s = cos[:, :, None, :], sin[:, :, None, :]
    return torch.stack([xr * c - xi * s, xr * s + xi * c], -1).flatten(3)


def block(x, W, pre, heads, cos, sin, valid):
    B, N, C = x.shape
    dh = C // heads
    h = rms(x, W[pre + "norm1.weight"])
    qkv = (h @ W[pre + "attn.qkv_proj.weight"].T).reshape(B, N, 3, heads, dh)
    q, k, v = qkv.unbind(2)
    q = rope(rms(q, W[pre + "attn.norm_q.weight"]), cos, sin).transpose(1, 2)
    k = rope(rms(k, W[pre + "attn.norm_k.weight"]), cos, sin).transpose(1, 2)
    v = v.transpose(1, 2)
    s = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
    s = s.masked_fill(~valid[:, None, None, :], float("-inf"))  # keys only
    a = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, N, C)
    attn = a @ W[pre + "attn.out_proj.weight"].T
    f1 = h @ W[pre + "ffn.fc1.weight"].T
    val, gate = f1.chunk(2, -1)
    ffn = (F.silu(gate) * val) @ W[pre + "ffn.fc2.weight"].T
    return x + W[pre + "layer_scale.gamma"] * (attn + ffn)


def lin(x, W, name):
    return x @ W[name + ".weight"].T + W[name + ".bias"]


def encode(W, cfg, patches, mask, row, col):
    w, d, heads, _ = cfg["enc"]
    cos, sin = rope_freqs(row, col, w // heads)
    x = lin(patches, W, "patch_embed")
    for i in range(d):
        x = block(x, W, f"encoder_blocks.{i}.", heads, cos, sin, mask)
    z = lin(x, W, "to_code")
    z = F.layer_norm(z.float(), (cfg["c"],), eps=1e-6).type_as(z)
    return z.masked_fill(~mask[..., None], 0.0)


def decode(W, cfg, z, mask, row, col):
    w, d, heads, _ = cfg["dec"]
    cos, sin = rope_freqs(row, col, w // heads)
    x = lin(z, W, "decoder_embed")
    for i in range(d):
        x = block(x, W, f"decoder_blocks.{i}.", heads, cos, sin, mask)
    return lin(x, W, "to_pixels").masked_fill(~mask[..., None], 0.0)


# ---------------------------------------------------------------- NaFlex
def fit(h, w, p, max_tokens, eps=1e-5):
    hp, wp = math.ceil(h / p), math.ceil(w / p)
    if hp * wp <= max_tokens:
        return h, w
    s = math.sqrt(max_tokens / (hp * wp))
    nh, nw = max(1, math.floor(hp * s + eps)), max(1, math.floor(wp * s + eps))
    return min(nh * p, h), min(nw * p, w)


def patchify(img, p, max_tokens):
    c, h, w = img.shape
    th, tw = fit(h, w, p, max_tokens)
    if (th, tw) != (h, w):
        img = F.interpolate(img[None], size=(th, tw), mode="bicubic", align_corners=False, antialias=True)[0]
        h, w = th, tw
    ph, pw = (p - h % p) % p, (p - w % p) % p
    img = F.pad(img, (0, pw, 0, ph), value=0.0)
    tok = F.unfold(img[None], kernel_size=p, stride=p)[0].T
    gh, gw = img.shape[1] // p, img.shape[2] // p
    n = gh * gw
    yy, xx = torch.meshgrid(torch.arange(gh), torch.arange(gw), indexing="ij")
    out = dict(patches=torch.zeros(max_tokens, tok.shape[1]), patch_mask=torch.zeros(max_tokens, dtype=torch.bool),
               row_idx=torch.zeros(max_tokens, dtype=torch.long), col_idx=torch.zeros(max_tokens, dtype=torch.long))
    out["patches"][:n] = tok
    out["patch_mask"][:n] = True
    out["row_idx"][:n] = yy.flatten()
    out["col_idx"][:n] = xx.flatten()
    out["orig_height"], out["orig_width"] = torch.tensor(h), torch.tensor(w)
    return out


def unpatchify(patches, mask, row, col, p):
    B, N, D = patches.shape
    my, mx = int(row[mask].max()) + 1, int(col[mask].max()) + 1
    patches = patches.masked_fill(~mask[..., None], 0.0).transpose(1, 2)
    tokens = torch.zeros(B, D, my * mx)
    tokens = tokens.scatter(2, (row * mx + col)[:, None, :].expand(-1, D, -1), patches)
    tokens = tokens.scatter(2, torch.zeros(B, D, 1, dtype=torch.long), patches[:, :, 0:1])
    return F.fold(tokens, output_size=(my * p, mx * p), kernel_size=p, stride=p)


def load_weights(d):
    W = {}
    for f in ("encoder", "decoder"):
        W.update(st_read(f"{d}/{f}.safetensors")[0])
    return W


def check(case):
    W = load_weights(case)
    V, meta = st_read(f"{case}/vectors.safetensors")
    cfg = parse_variant(meta["variant"])
    m = V["patch_mask"]
    # Our own patchify of the input images must give the golden patch batch.
    n_img = len([k for k in V if k.startswith("image_")])
    pb = [patchify(V[f"image_{i}"], cfg["p"], int(meta["max_tokens"])) for i in range(n_img)]
    for k in ("patches", "row_idx", "col_idx", "patch_mask"):
        got = torch.stack([b[k] for b in pb])
        print(f"  patchify {k}: max diff {(got.float() - V[k].float()).abs().max().item():.3g}")
    z = encode(W, cfg, V["patches"], m, V["row_idx"], V["col_idx"])
    dec = decode(W, cfg, V["z"], m, V["row_idx"], V["col_idx"])
    rec = unpatchify(dec, m, V["row_idx"], V["col_idx"], cfg["p"])
    print(f"{case}: z {(z - V['z'])[m].abs().max():.3g}  decoded {(dec - V['decoded_patches'])[m].abs().max():.3g}  "
          f"reconstruction {(rec - V['reconstruction']).abs().max():.3g}")


def recon(wdir, variant, max_tokens, out_dir, images):
    W = load_weights(wdir)
    cfg = parse_variant(variant)
    imgs = []
    for path in images:
        a = np.asarray(Image.open(path).convert("RGB"), dtype=np.uint8)
        t = torch.from_numpy(a.copy()).permute(2, 0, 1).float() / 255.0  # to_tensor
        imgs.append((t - 0.5) / 0.5)  # normalize(minus_one_to_one)
    pbs = [patchify(t, cfg["p"], max_tokens) for t in imgs]
    b = {k: torch.stack([x[k] for x in pbs]) for k in pbs[0]}
    z = encode(W, cfg, b["patches"], b["patch_mask"], b["row_idx"], b["col_idx"])
    dec = decode(W, cfg, z, b["patch_mask"], b["row_idx"], b["col_idx"])
    canvas = unpatchify(dec, b["patch_mask"], b["row_idx"], b["col_idx"], cfg["p"])
    for i, path in enumerate(images):
        h, w = int(b["orig_height"][i]), int(b["orig_width"][i])
        u8 = ((canvas[i, :, :h, :w].clamp(-1, 1) + 1) / 2 * 255).round().to(torch.uint8)
        name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        Image.fromarray(u8.permute(1, 2, 0).numpy()).save(f"{out_dir}/{name}.recon.png")
        print(f"{path}: {imgs[i].shape[1]}x{imgs[i].shape[2]} -> {h}x{w}, {int(b['patch_mask'][i].sum())} tokens")


def resize_vectors(out):
    g = torch.Generator().manual_seed(3)
    x = torch.rand(2, 3, 37, 53, generator=g) * 2 - 1
    t = {"input": x}
    for (h, w) in [(16, 24), (24, 16), (8, 8), (37, 21), (48, 64), (5, 53)]:
        t[f"out_{h}x{w}"] = F.interpolate(x, size=(h, w), mode="bicubic", align_corners=False, antialias=True)
    st_write(out, t, {"torch": torch.__version__})


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "check":
        for c in sys.argv[2:]:
            check(c)
    elif cmd == "recon":
        recon(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6:])
    elif cmd == "resize":
        resize_vectors(sys.argv[2])
