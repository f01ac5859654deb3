using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// Multiscale Dilated Convolution (Brock et al. 2017, §3.1). One 3×3 weight W is applied several
/// ways and the results are summed, each branch scaled by a learned per-filter coefficient:
/// the plain 3×3; for scale 0 a 1×1 convolution whose weights are W's mean over its window; for each
/// scale s &gt; 0 the same W dilated by s. No bias. Parameters: N·C·9 + N·(1 + scales).
/// </summary>
public sealed class MdcConv2d : nn.Module<Tensor, Tensor>
{
    readonly int[] _scales;
    readonly Parameter weight;
    /// <summary>Row 0 scales the plain 3×3 branch; row 1 + i scales branch <c>scales[i]</c>.</summary>
    readonly Parameter coefficients;

    readonly bool _reflect;

    /// <param name="reflect">Read the input mirrored at its border instead of zeros (<see cref="IanConfig.DecoderPadding"/>).</param>
    public MdcConv2d(long inChannels, long outChannels, IReadOnlyList<int> scales, bool reflect = false) : base(nameof(MdcConv2d))
    {
        _reflect = reflect;
        _scales = scales.ToArray();
        weight = new Parameter(torch.empty(outChannels, inChannels, 3, 3));
        coefficients = new Parameter(torch.full(1 + _scales.Length, outChannels, Scalars.Of(1.0 / (1 + _scales.Length))));
        // He-style init keeps activations at unit scale through the residual blocks.
        nn.init.normal_(weight, 0, Math.Sqrt(2.0 / (inChannels * 9)));
        RegisterComponents();
    }

    public IReadOnlyList<int> Scales => _scales;
    public Parameter Weight => weight;
    public Parameter Coefficients => coefficients;
    /// <summary>Whether the input is read mirrored at its border.</summary>
    public bool Reflects => _reflect;

    public override Tensor forward(Tensor input) => Apply(input, weight, coefficients, _scales, _reflect);

    /// <summary>The combined kernel's half-width m: the largest scale (at least 1).</summary>
    public static int CombinedPadding(IReadOnlyList<int> scales) => Math.Max(1, scales.Count == 0 ? 1 : scales.Max());

    /// <summary>
    /// The same operation as one convolution's kernel: every branch's kernel placed, dilated, into a
    /// single (2m+1)² kernel (m = the largest scale), so the sum is applied in one call. More
    /// multiply-adds (the big kernel is mostly zeros) but one call instead of one per branch, which is
    /// faster on the CPU for layers with a handful of channels (the RGB-Beta output; docs/speed.md).
    /// </summary>
    public static Tensor CombinedKernel(Tensor weight, Tensor coefficients, IReadOnlyList<int> scales)
    {
        int m = CombinedPadding(scales);
        long n = weight.shape[0], c = weight.shape[1];
        Tensor Placed(Tensor kernel3, int s)
        {
            // Insert s−1 zeros between taps, then centre in the (2m+1)² window.
            var spread = nn.functional.pad(kernel3.view(n, c, 3, 1, 3, 1), [0, s - 1, 0, 0, 0, s - 1]).view(n, c, 3 * s, 3 * s);
            var dilated = spread[.., .., ..(2 * s + 1), ..(2 * s + 1)];
            return nn.functional.pad(dilated, [m - s, m - s, m - s, m - s]);
        }
        var kernel = Placed(weight * coefficients[0].view(-1, 1, 1, 1), 1);
        for (int i = 0; i < scales.Count; i++)
        {
            int s = scales[i];
            var scaled = s == 0 ? weight.mean([2, 3], keepdim: true) : weight;
            scaled = scaled * coefficients[1 + i].view(-1, 1, 1, 1);
            kernel = kernel.Plus(s == 0 ? nn.functional.pad(scaled, [m, m, m, m]) : Placed(scaled, s));
        }
        return kernel;
    }

    /// <summary>
    /// The MDC operation on explicit tensors: <paramref name="weight"/> is N×C×3×3 and
    /// <paramref name="coefficients"/> (1 + scales)×N. It is linear in the input, which lets callers
    /// evaluate slices of several MDC layers in one call (see <see cref="RgbBetaOutput"/>).
    /// </summary>
    public static Tensor Apply(Tensor input, Tensor weight, Tensor coefficients, IReadOnlyList<int> scales, bool reflect = false)
        => SumOfBranches(input, Branches(weight, coefficients, scales), reflect: reflect);

    /// <summary>The sum of the branches' convolutions of <paramref name="input"/> (plus a bias, on the first).</summary>
    internal static Tensor SumOfBranches(Tensor input, (Tensor Kernel, long Padding, long Dilation)[] branches, Tensor? bias = null,
        bool reflect = false)
    {
        var output = FastConv2d.Apply(input, branches[0].Kernel, branches[0].Padding, branches[0].Dilation, bias, reflect);
        foreach (var (kernel, padding, dilation) in branches.Skip(1))
            output = output.Plus(FastConv2d.Apply(input, kernel, padding, dilation, reflect: reflect));
        return output;
    }

    /// <summary>Each branch as a convolution: its kernel (scaled per output filter by its coefficient —
    /// the same as scaling the branch's output, and cheaper), padding and dilation.</summary>
    internal static (Tensor Kernel, long Padding, long Dilation)[] Branches(Tensor weight, Tensor coefficients, IReadOnlyList<int> scales)
    {
        Tensor Scaled(Tensor kernel, int branch) => kernel * coefficients[branch].view(-1, 1, 1, 1);
        var branches = new List<(Tensor, long, long)> { (Scaled(weight, 0), 1, 1) };
        for (int i = 0; i < scales.Count; i++)
        {
            int s = scales[i];
            branches.Add(s == 0 ? (Scaled(weight.mean([2, 3], keepdim: true), 1 + i), 0, 1) : (Scaled(weight, 1 + i), s, s));
        }
        return branches.ToArray();
    }
}
