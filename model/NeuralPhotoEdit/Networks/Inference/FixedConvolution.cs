using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks.Inference;

/// <summary>
/// A convolution with fixed kernels: the sum of one or more branches (kernel, padding, dilation) over
/// the same input, plus a bias. An MDC layer becomes one — with the batch normalisation that follows it
/// folded in (kernels scaled per output channel, the shift as the bias) — and so do the RGB-Beta
/// output's parts and the plain output convolution.
/// </summary>
sealed class FixedConvolution : IFixedLayer
{
    readonly (Tensor Kernel, long Padding, long Dilation)[] _branches;
    readonly Tensor? _bias;
    readonly bool _reflect;

    FixedConvolution(IEnumerable<(Tensor Kernel, long Padding, long Dilation)> branches, Tensor? bias, bool reflect)
    {
        _branches = branches.Select(b => (Kept.Copy(b.Kernel), b.Padding, b.Dilation)).ToArray();
        _bias = bias is null ? null : Kept.Copy(bias);
        _reflect = reflect;
    }

    /// <summary>
    /// An MDC layer, followed by the normalisation y = scale·x + shift when one is given. A narrow layer
    /// becomes one combined kernel (<see cref="MdcConv2d.CombinedKernel"/>): its cost is per call, not
    /// per multiply-add. A wide one keeps its branches, whose kernels have (2m+1)²/9 times fewer
    /// multiply-adds.
    /// </summary>
    public static FixedConvolution OfMdc(MdcConv2d layer, (Tensor Scale, Tensor Shift)? followingNorm = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var scale = followingNorm?.Scale;
        (Tensor Kernel, long Padding, long Dilation)[] branches = IsNarrow(layer)
            ? [(MdcConv2d.CombinedKernel(layer.Weight, layer.Coefficients, layer.Scales), MdcConv2d.CombinedPadding(layer.Scales), 1)]
            : MdcConv2d.Branches(layer.Weight, layer.Coefficients, layer.Scales);
        return new(branches.Select(b => (Kept.ScaleOutputs(b.Kernel, scale), b.Padding, b.Dilation)), followingNorm?.Shift, layer.Reflects);
    }

    static bool IsNarrow(MdcConv2d layer) => layer.Weight.shape[0] * layer.Weight.shape[1] <= 64 * 64;

    /// <summary>An MDC operation on explicit weights and coefficients, branch by branch.</summary>
    public static FixedConvolution OfMdcBranches(Tensor weight, Tensor coefficients, IReadOnlyList<int> scales, bool reflect)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return new(MdcConv2d.Branches(weight, coefficients, scales), bias: null, reflect);
    }

    /// <summary>One k×k "same" convolution (zero padding) with its bias.</summary>
    public static FixedConvolution Plain(Tensor kernel, Tensor? bias) => new([(kernel, kernel.shape[2] / 2, 1)], bias, reflect: false);

    public Tensor Apply(Tensor input) => MdcConv2d.SumOfBranches(input, _branches, _bias, _reflect);

    public void Dispose()
    {
        foreach (var branch in _branches) branch.Kernel.Dispose();
        _bias?.Dispose();
    }
}
