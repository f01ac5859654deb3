using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// RGB-Beta output layer (paper §3.3): each colour channel is the mean of a Beta distribution,
/// 2α/(α+β) − 1 ∈ (−1, 1), with α and β sigmoid outputs of an MDC layer. Channels are produced in
/// order and each later channel also sees the earlier ones (G sees R; B sees R and G).
/// </summary>
public sealed class RgbBetaOutput : nn.Module<Tensor, Tensor>
{
    readonly MdcConv2d red, green, blue;
    readonly int[] _scales;
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
        var fromFeatures = MdcConv2d.ApplyCombined(h,
            torch.cat([red.Weight, green.Weight[.., ..(int)c], blue.Weight[.., ..(int)c]], 0),
            torch.cat([red.Coefficients, green.Coefficients, blue.Coefficients], 1), _scales);

        var r = BetaMean(fromFeatures[.., 0..2]);
        var g = BetaMean(fromFeatures[.., 2..4]
            .Plus(MdcConv2d.ApplyCombined(r, green.Weight[.., (int)c..], green.Coefficients, _scales)));
        var b = BetaMean(fromFeatures[.., 4..6]
            .Plus(MdcConv2d.ApplyCombined(torch.cat([r, g], 1), blue.Weight[.., (int)c..], blue.Coefficients, _scales)));
        return torch.cat([r, g, b], 1);
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
