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

    /// <summary>Whether the layers read their input mirrored at its border.</summary>
    public bool Reflects => _reflect;

    public override Tensor forward(Tensor h)
    {
        var (features, green, blue) = Kernels(h.shape[1]);
        int padding = MdcConv2d.CombinedPadding(_scales);
        return Evaluate(h, x => FastConv2d.Apply(x, features, padding, reflect: _reflect),
                        x => FastConv2d.Apply(x, green, padding, reflect: _reflect),
                        x => FastConv2d.Apply(x, blue, padding, reflect: _reflect));
    }

    /// <summary>
    /// The same result as red(h), green([h, r]), blue([h, r, g]) evaluated one after another, but
    /// faster: MDC is linear in its input, so the part of all three layers that reads h (nearly all
    /// the work, at full resolution) runs as one six-filter MDC, <paramref name="fromFeatures"/>, and
    /// only the small parts that read r and g run afterwards.
    /// </summary>
    internal static Tensor Evaluate(Tensor h, Func<Tensor, Tensor> fromFeatures, Func<Tensor, Tensor> greenFromRed,
                                    Func<Tensor, Tensor> blueFromRedGreen)
    {
        var alphaBetas = fromFeatures(h);
        var r = BetaMean(alphaBetas[.., 0..2]);
        var g = BetaMean(alphaBetas[.., 2..4].Plus(greenFromRed(r)));
        var b = BetaMean(alphaBetas[.., 4..6].Plus(blueFromRedGreen(torch.cat([r, g], 1))));
        return torch.cat([r, g, b], 1);
    }

    /// <summary>The three layers' parts as (weight, coefficients): the six filters that read the
    /// features, green's part that reads red, blue's that reads red and green.</summary>
    internal ((Tensor, Tensor) FromFeatures, (Tensor, Tensor) GreenFromRed, (Tensor, Tensor) BlueFromRedGreen) Parts(long features) => (
        (torch.cat([red.Weight, green.Weight[.., ..(int)features], blue.Weight[.., ..(int)features]], 0),
         torch.cat([red.Coefficients, green.Coefficients, blue.Coefficients], 1)),
        (green.Weight[.., (int)features..], green.Coefficients),
        (blue.Weight[.., (int)features..], blue.Coefficients));

    /// <summary>The number of feature channels the layer reads.</summary>
    internal long Features => red.Weight.shape[1];

    internal IReadOnlyList<int> Scales => _scales;

    (Tensor FromFeatures, Tensor GreenFromRed, Tensor BlueFromRedGreen) Kernels(long features)
    {
        var (a, b, c) = Parts(features);
        return (MdcConv2d.CombinedKernel(a.Item1, a.Item2, _scales), MdcConv2d.CombinedKernel(b.Item1, b.Item2, _scales),
                MdcConv2d.CombinedKernel(c.Item1, c.Item2, _scales));
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
