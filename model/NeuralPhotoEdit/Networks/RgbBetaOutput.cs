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
    /// <summary>Inference weights: the combined kernels of the part of all three layers that reads
    /// the features, of green's part that reads red, and of blue's that reads red and green.</summary>
    Tensor? _fromFeatures, _greenFromRed, _blueFromRedGreen;
    // Keeps α+β away from zero where both sigmoids saturate low.
    const double Epsilon = 1e-4;

    public RgbBetaOutput(long features, IReadOnlyList<int> scales) : base(nameof(RgbBetaOutput))
    {
        _scales = scales.ToArray();
        red = new MdcConv2d(features, 2, scales);
        green = new MdcConv2d(features + 1, 2, scales);
        blue = new MdcConv2d(features + 2, 2, scales);
        RegisterComponents();
    }

    static Tensor BetaMean(Tensor alphaBeta)
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
        bool prepared = _fromFeatures is not null && !training;
        var (fromFeaturesKernel, greenKernel, blueKernel) = prepared ? (_fromFeatures!, _greenFromRed!, _blueFromRedGreen!) : Kernels(c);
        int padding = MdcConv2d.CombinedPadding(_scales);
        var fromFeatures = FastConv2d.Apply(h, fromFeaturesKernel, padding);

        var r = BetaMean(fromFeatures[.., 0..2]);
        var g = BetaMean(fromFeatures[.., 2..4].Plus(FastConv2d.Apply(r, greenKernel, padding)));
        var b = BetaMean(fromFeatures[.., 4..6].Plus(FastConv2d.Apply(torch.cat([r, g], 1), blueKernel, padding)));
        return torch.cat([r, g, b], 1);
    }

    (Tensor FromFeatures, Tensor GreenFromRed, Tensor BlueFromRedGreen) Kernels(long features) => (
        MdcConv2d.CombinedKernel(torch.cat([red.Weight, green.Weight[.., ..(int)features], blue.Weight[.., ..(int)features]], 0),
                                 torch.cat([red.Coefficients, green.Coefficients, blue.Coefficients], 1), _scales),
        MdcConv2d.CombinedKernel(green.Weight[.., (int)features..], green.Coefficients, _scales),
        MdcConv2d.CombinedKernel(blue.Weight[.., (int)features..], blue.Coefficients, _scales));

    public void PrepareInference((Tensor Scale, Tensor Shift)? followingNorm = null)
    {
        if (followingNorm is not null) throw new ArgumentException("The output layer is the last.", nameof(followingNorm));
        DropInference();
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var (fromFeatures, greenFromRed, blueFromRedGreen) = Kernels(red.Weight.shape[1]);
        (_fromFeatures, _greenFromRed, _blueFromRedGreen) =
            (InferenceWeights.Keep(fromFeatures), InferenceWeights.Keep(greenFromRed), InferenceWeights.Keep(blueFromRedGreen));
    }

    public void DropInference()
    {
        InferenceWeights.Drop(ref _fromFeatures);
        InferenceWeights.Drop(ref _greenFromRed);
        InferenceWeights.Drop(ref _blueFromRedGreen);
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
