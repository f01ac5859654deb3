#!/usr/bin/env python3
"""The editor's latent step in PyTorch, on the same decoder and weights: the peer of `npe bench edit`.

Builds the decoder G of an IAN model file (safetensors; the config is in its metadata) as idiomatic
PyTorch -- eval-mode batch norm modules, each MDC layer a sum of its convolution branches, frozen
weights -- checks that G(z) and the gradient of the step's loss equal the ones npe computed (the
reference file), then times the step: decode z (batch 1), mean squared error against a target,
gradient with respect to z. Prints one JSON line; with --serve it then reads commands from stdin
("step N", "decode N": the median of N runs in ms, one line each; "quit"), so that npe can alternate
its own timings with these in one run.

Run by `npe bench edit --peer`, which writes the reference file; needs Debian's python3-torch
(model/NeuralPhotoEdit.Toolkit/Benchmarks/Peer/install.sh).
"""
import sys
import argparse
import json
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F

LEAKY_SLOPE = 0.2       # Activations.LeakySlope
BETA_EPSILON = 1e-4     # RgbBetaOutput.Epsilon
NORM_EPSILON = 1e-5     # BatchNormalization's eps

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64}


def read_safetensors(path):
    """Tensors (as float32 torch tensors) and metadata of a safetensors file."""
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.astype(np.float32) if entry["dtype"] == "F16" else array.copy())
    return tensors, metadata


def batch_norm(weights, prefix, dims):
    norm = (torch.nn.BatchNorm1d if dims == 1 else torch.nn.BatchNorm2d)(weights[prefix + ".weight"].numel(), eps=NORM_EPSILON)
    for name in ("weight", "bias", "running_mean", "running_var"):
        getattr(norm, name).data.copy_(weights[f"{prefix}.{name}"])
    return norm


def conv(x, weight, padding, dilation=1, reflect=False):
    """A convolution padded with zeros, or with the input mirrored at its border (decoder_padding "reflect")."""
    if reflect and padding > 0:
        return F.conv2d(F.pad(x, (padding,) * 4, mode="reflect"), weight, dilation=dilation)
    return F.conv2d(x, weight, padding=padding, dilation=dilation)


class Mdc(torch.nn.Module):
    """Multiscale dilated convolution: the 3x3 branch, a 1x1 of the kernel's mean for scale 0, the
    kernel dilated by s for each other scale; each branch scaled per filter by its coefficient."""

    def __init__(self, weight, coefficients, scales, reflect):
        super().__init__()
        self.weight = torch.nn.Parameter(weight)
        self.coefficients = torch.nn.Parameter(coefficients)
        self.scales = scales
        self.reflect = reflect

    def forward(self, x):
        def scaled(kernel, branch):
            return kernel * self.coefficients[branch].view(-1, 1, 1, 1)
        out = conv(x, scaled(self.weight, 0), 1, reflect=self.reflect)
        for i, s in enumerate(self.scales):
            if s == 0:
                out = out + F.conv2d(x, scaled(self.weight.mean((2, 3), keepdim=True), 1 + i))
            else:
                out = out + conv(x, scaled(self.weight, 1 + i), s, dilation=s, reflect=self.reflect)
        return out


class MdcBlock(torch.nn.Module):
    def __init__(self, weights, prefix, scales, reflect):
        super().__init__()
        self.bn1, self.bn2, self.bn_out = (batch_norm(weights, f"{prefix}.{n}", 2) for n in ("bn1", "bn2", "bnOut"))
        self.mdc1, self.mdc2 = (Mdc(weights[f"{prefix}.{n}.weight"], weights[f"{prefix}.{n}.coefficients"], scales, reflect) for n in ("mdc1", "mdc2"))

    def forward(self, x):
        h = self.mdc1(F.leaky_relu(self.bn1(x), LEAKY_SLOPE))
        h = self.mdc2(F.leaky_relu(self.bn2(h), LEAKY_SLOPE))
        return F.leaky_relu(self.bn_out(x + h), LEAKY_SLOPE)


class RgbBeta(torch.nn.Module):
    """Each colour the mean of a Beta distribution, 2a/(a+b) - 1; green sees red, blue sees both."""

    def __init__(self, weights, prefix, scales, reflect):
        super().__init__()
        self.red, self.green, self.blue = (Mdc(weights[f"{prefix}.{n}.weight"], weights[f"{prefix}.{n}.coefficients"], scales, reflect) for n in ("red", "green", "blue"))

    @staticmethod
    def beta_mean(alpha_beta):
        ab = torch.sigmoid(alpha_beta) + BETA_EPSILON
        return (ab[:, 0:1] - ab[:, 1:2]) / (ab[:, 0:1] + ab[:, 1:2])

    def forward(self, h):
        r = self.beta_mean(self.red(h))
        g = self.beta_mean(self.green(torch.cat([h, r], 1)))
        b = self.beta_mean(self.blue(torch.cat([h, r, g], 1)))
        return torch.cat([r, g, b], 1)


class Decoder(torch.nn.Module):
    def __init__(self, weights, config):
        super().__init__()
        widths = config["generator_widths"]
        self.base = widths[0]
        self.dense = torch.nn.Linear(config["latent_size"], self.base * 16, bias=False)
        self.dense.weight.data.copy_(weights["decoder.dense.weight"])
        self.dense_norm = batch_norm(weights, "decoder.denseNorm", 1)
        # Every key of the model's config that changes the decoder is read here (a test checks the list).
        upsampling = config.get("upsampling", "transposed")
        if upsampling not in ("transposed", "resize", "bilinear"):
            raise SystemExit(f"unknown upsampling '{upsampling}'")
        self.resize = upsampling != "transposed"
        self.interpolation = "bilinear" if upsampling == "bilinear" else "nearest"
        self.reflect = config.get("decoder_padding", "zeros") == "reflect"
        k = config["generator_kernel"]
        self.padding = (k - 1) // 2
        self.output_padding = 2 + 2 * self.padding - k
        self.upsamplers = torch.nn.ParameterList(
            torch.nn.Parameter(weights[f"decoder.upsamplers.{i}.conv.weight" if self.resize else f"decoder.upsamplers.{i}.weight"])
            for i in range(len(widths)))
        self.norms = torch.nn.ModuleList(batch_norm(weights, f"decoder.upsampleNorms.{i}", 2) for i in range(len(widths)))
        self.blocks = torch.nn.ModuleList(
            MdcBlock(weights, f"decoder.blocks.{i}", scales, self.reflect) if scales else torch.nn.Identity()
            for i, scales in enumerate(config["generator_mdc_scales"]))
        if not config.get("rgb_beta", True):
            raise SystemExit("the peer benchmark builds the RGB-Beta output only")
        self.output = RgbBeta(weights, "decoder.output", config["rgb_beta_scales"], self.reflect)

    def upsample(self, i, h):
        w = self.upsamplers[i]
        if self.resize:
            resized = F.interpolate(h, scale_factor=2, mode=self.interpolation, align_corners=False if self.interpolation == "bilinear" else None)
            return conv(resized, w, w.shape[2] // 2, reflect=self.reflect)
        return F.conv_transpose2d(h, w, stride=2, padding=self.padding, output_padding=self.output_padding)

    def forward(self, z):
        h = F.relu(self.dense_norm(self.dense(z))).view(-1, self.base, 4, 4)
        for i in range(len(self.upsamplers)):
            h = F.relu(self.norms[i](self.upsample(i, h)))
            if i < len(self.blocks):
                h = self.blocks[i](h)
        return self.output(h)


def step(decoder, z0, target):
    """The editor's latent step: decode, squared error against the target, gradient toward z."""
    z = z0.detach().requires_grad_(True)
    loss = (decoder(z) - target).square().mean()
    (gradient,) = torch.autograd.grad(loss, z)
    return (z.detach() - 0.1 * gradient).sum().item()


def median_ms(repeats, action):
    action()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--reference", required=True, help="z, target, output and gradient from npe (safetensors)")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--serve", action="store_true", help="then time on request (stdin)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    weights, metadata = read_safetensors(args.model)
    decoder = Decoder(weights, json.loads(metadata["config"])).eval()
    decoder.requires_grad_(False)
    reference, _ = read_safetensors(args.reference)
    z, target = reference["z"], reference["target"]

    # The same network: G(z) and the step's gradient equal npe's.
    latent = z.detach().requires_grad_(True)
    output = decoder(latent)
    (gradient,) = torch.autograd.grad((output - target).square().mean(), latent)
    output_error = (output.detach() - reference["output"]).abs().max().item()
    gradient_error = (gradient - reference["gradient"]).abs().max().item() / reference["gradient"].abs().max().item()
    if output_error > 1e-4 or gradient_error > 1e-3:
        raise SystemExit(f"not the same network: G(z) differs by {output_error:.2g}, the gradient by {gradient_error:.2g} (relative)")

    def decode():
        with torch.no_grad():
            decoder(z)

    facts = {"torch": torch.__version__, "blas": blas_name(), "threads": torch.get_num_threads(),
             "output_max_error": output_error, "gradient_max_relative_error": gradient_error}
    if not args.serve:
        facts.update(step_ms=round(median_ms(args.repeats, lambda: step(decoder, z, target)), 3),
                     decode_ms=round(median_ms(args.repeats, decode), 3))
        print(json.dumps(facts))
        return
    print(json.dumps(facts), flush=True)
    actions = {"step": lambda: step(decoder, z, target), "decode": decode}
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        print(round(median_ms(int(command[1]), actions[command[0]]), 3), flush=True)


def blas_name():
    """Which BLAS library the process mapped (Debian's PyTorch links libblas.so.3, an alternative)."""
    try:
        with open("/proc/self/maps") as maps:
            libraries = [line.split()[-1] for line in maps if "blas" in line]
    except OSError:
        return "unknown"
    preferred = [path for path in libraries if "libopenblas" in path] or [path for path in libraries if "libblas" in path]
    return preferred[0] if preferred else "unknown"


if __name__ == "__main__":
    main()
