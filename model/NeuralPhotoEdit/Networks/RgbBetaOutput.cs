using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// RGB-Beta output layer (paper §3.3): each colour channel is the mean of a Beta distribution,
/// 2α/(α+β) − 1 ∈ (−1, 1), with α and β sigmoid outputs of an MDC layer. Channels are produced in
/// order and each later channel also sees the earlier ones (G sees R; B sees R and G).
/// </summary>
public sealed class RgbBetaOutput : nn.Module<Tensor, Tensor>, IPreparesInference
{
    readonly MdcConv2d red, green, blue;
    readonly int[] _scales;
    /// <summary>
    /// Inference weights: the branch kernels (3×3, then each scale's dilated 3×3) of the part of all
    /// three layers that reads the features, of green's part that reads red, and of blue's that reads
    /// red and green. Branches, not one combined kernel as in training: at the editor's batch of one
    /// the (2m+1)² kernel's extra zeros cost more than the calls it saves (measured on the latent
    /// step, alternating in one process: docs/speed.md).
    /// </summary>
    (Tensor Kernel, long Padding, long Dilation)[]? _fromFeatures, _greenFromRed, _blueFromRedGreen;
    // Keeps α+β away from zero where both sigmoids saturate low.
    const double Epsilon = 1e-4;

    readonly bool _reflect;

    public RgbBetaOutput(long features, IReadOnlyList<int> scales, bool reflect = false) : base(nameof(RgbBetaOutput))
    {
        _reflect = reflect;
        _scales = scales.ToArray();
        red = new MdcConv2d(features, 2, scales, reflect);
        green = new MdcConv2d(features + 1, 2, scales, reflect);
        blue = new MdcConv2d(features + 2, 2, scales, reflect);
        RegisterComponents();
    }

    internal static Tensor BetaMean(Tensor alphaBeta)
    {
        var ab = torch.sigmoid(alphaBeta).Plus(Epsilon);
        var alpha = ab[.., 0..1];
        var beta = ab[.., 1..2];
        return (alpha - beta) / alpha.Plus(beta);   // (α − β)/(α + β) = 2α/(α+β) − 1
    }

    public override Tensor forward(Tensor h)
    {
        // Same result as red(h), green([h, r]), blue([h, r, g]) evaluated one after another, but
        // faster: MDC is linear in its input, so the part of all three layers that reads h (nearly
        // all the work, at full resolution) runs as one six-filter MDC, and only the small parts
        // that read r and g run afterwards.
        long c = h.shape[1];
        Func<Tensor, Tensor> fromFeatures, greenFromRed, blueFromRedGreen;
        if (_fromFeatures is not null && !training)
            (fromFeatures, greenFromRed, blueFromRedGreen) = (x => MdcConv2d.SumOfBranches(x, _fromFeatures, reflect: _reflect), x => MdcConv2d.SumOfBranches(x, _greenFromRed!, reflect: _reflect), x => MdcConv2d.SumOfBranches(x, _blueFromRedGreen!, reflect: _reflect));
        else
        {
            var (features, green, blue) = Kernels(c);
            int padding = MdcConv2d.CombinedPadding(_scales);
            (fromFeatures, greenFromRed, blueFromRedGreen) = (x => FastConv2d.Apply(x, features, padding, reflect: _reflect), x => FastConv2d.Apply(x, green, padding, reflect: _reflect), x => FastConv2d.Apply(x, blue, padding, reflect: _reflect));
        }
        var alphaBetas = fromFeatures(h);
        var r = BetaMean(alphaBetas[.., 0..2]);
        var g = BetaMean(alphaBetas[.., 2..4].Plus(greenFromRed(r)));
        var b = BetaMean(alphaBetas[.., 4..6].Plus(blueFromRedGreen(torch.cat([r, g], 1))));
        return torch.cat([r, g, b], 1);
    }


    /// <summary>The three layers' parts as (weight, coefficients): the six filters that read the
    /// features, green's part that reads red, blue's that reads red and green.</summary>
    ((Tensor, Tensor) FromFeatures, (Tensor, Tensor) GreenFromRed, (Tensor, Tensor) BlueFromRedGreen) Parts(long features) => (
        (torch.cat([red.Weight, green.Weight[.., ..(int)features], blue.Weight[.., ..(int)features]], 0),
         torch.cat([red.Coefficients, green.Coefficients, blue.Coefficients], 1)),
        (green.Weight[.., (int)features..], green.Coefficients),
        (blue.Weight[.., (int)features..], blue.Coefficients));

    (Tensor FromFeatures, Tensor GreenFromRed, Tensor BlueFromRedGreen) Kernels(long features)
    {
        var (a, b, c) = Parts(features);
        return (MdcConv2d.CombinedKernel(a.Item1, a.Item2, _scales), MdcConv2d.CombinedKernel(b.Item1, b.Item2, _scales),
                MdcConv2d.CombinedKernel(c.Item1, c.Item2, _scales));
    }

    public void PrepareInference((Tensor Scale, Tensor Shift)? followingNorm = null)
    {
        if (followingNorm is not null) throw new ArgumentException("The output layer is the last.", nameof(followingNorm));
        DropInference();
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        (Tensor, long, long)[] Kept((Tensor Weight, Tensor Coefficients) part) =>
            MdcConv2d.Branches(part.Weight, part.Coefficients, _scales).Select(b => (InferenceWeights.Keep(b.Kernel), b.Padding, b.Dilation)).ToArray();
        var (fromFeatures, greenFromRed, blueFromRedGreen) = Parts(red.Weight.shape[1]);
        (_fromFeatures, _greenFromRed, _blueFromRedGreen) = (Kept(fromFeatures), Kept(greenFromRed), Kept(blueFromRedGreen));
    }

    public void DropInference()
    {
        foreach (var branch in (_fromFeatures ?? []).Concat(_greenFromRed ?? []).Concat(_blueFromRedGreen ?? [])) branch.Kernel.Dispose();
        (_fromFeatures, _greenFromRed, _blueFromRedGreen) = (null, null, null);
    }

    /// <summary>The straightforward evaluation, kept to test that <see cref="forward"/> equals it.</summary>
    internal Tensor ForwardSequential(Tensor h)
    {
        var r = BetaMean(red.forward(h));
        var g = BetaMean(green.forward(torch.cat([h, r], 1)));
        var b = BetaMean(blue.forward(torch.cat([h, r, g], 1)));
        return torch.cat([r, g, b], 1);
    }
}
