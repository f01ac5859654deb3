using NeuralPhotoEdit.Networks;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Training;

/// <summary>
/// The even-change term of <see cref="ReconstructionTuning"/>: how unevenly the decoder changes a
/// crop's flat areas when the code takes a step of the editor's kind. Per crop: a soft round stroke
/// of a random colour at a random place (a Gaussian of radius 4–10 px); the step the editor would
/// take for it, <see cref="StepLength"/> along the normalised gradient of the stroke's weighted
/// squared error; the change that step makes, D = G(μ + δ) − G(μ), averaged over the colours; and its
/// <see cref="Roughness"/> where the crop is flat.
/// <para>
/// Not in the paper. Why: a decoder tuned for reconstruction alone learned to change less of a
/// flat sky for the same stroke (the change is strongest under the stroke and fades toward the
/// skyline), and <c>npe eval edits</c> counts such a fade as change that follows nothing in the photo
/// (misaligned). The term asks the decoder to change a flat area as a whole, and leaves it free to
/// change sharply where the crop has edges (model card, "Tuning").
/// </para>
/// </summary>
public static class EvenChange
{
    /// <summary>The step's length in latent units. For scale: the editor's default moves a code by at
    /// most 10 (20 steps of 0.5), and a photo's code has length about 10.</summary>
    public const double StepLength = 3;

    /// <summary>A pixel is flat when neither neighbouring step of any colour reaches this, on [−1, 1]:
    /// the 4/255 on [0, 1] under which <c>npe eval edits</c> counts the photo as flat.</summary>
    const double FlatStep = 8.0 / 255;

    const double SmallestStrokeRadius = 4, StrokeRadiusRange = 6;
    /// <summary>Keep the ratio and its logarithm finite for a change that is zero or perfectly even.</summary>
    const double SizeFloor = 1e-6, RoughnessFloor = 1e-5;

    /// <summary>The terms for a batch, of one random stroke's step per crop, each the mean over crops:
    /// the change's <see cref="Roughness"/> over flat pixels (the even-change term), and its reach —
    /// log of the stroke's weighted squared error after the step over the same before it (held fixed),
    /// so a decoder whose answer to the step takes the colour under the stroke further scores lower.
    /// <paramref name="code"/> is μ (in the graph of the encoder), <paramref name="reconstruction"/>
    /// G(μ) (in the graph of the decoder).</summary>
    public static (Tensor Roughness, Tensor Reach) Terms(IntrospectiveAdversarialNetwork network, Tensor code, Tensor reconstruction, Tensor images,
        Generator noise)
    {
        var (weights, colours) = RandomStrokes(images, noise);
        var strokeErrors = (weights * (reconstruction - colours).Squared()).sum([1, 2, 3]);
        // The editor's step, with its direction taken as given: the term shapes the decoder's answer
        // to a step, not the step.
        var direction = autograd.grad([strokeErrors.sum()], [code], retain_graph: true)[0].detach();
        var step = direction.Times(-StepLength) / direction.norm(1, keepdim: true).Plus(1e-8);
        var stepped = network.Decode(code.Plus(step));
        var weightSum = weights.sum([1, 2, 3]).Times(3).Plus(SizeFloor);
        var before = strokeErrors.detach() / weightSum;
        var after = (weights * (stepped - colours).Squared()).sum([1, 2, 3]) / weightSum;
        var reach = (after.Plus(RoughnessFloor).log() - before.Plus(RoughnessFloor).log()).mean();
        return (Roughness(stepped - reconstruction, images).mean(), reach);
    }

    /// <summary>
    /// Per crop, log(Σ_flat |∇D̄|² / Σ D̄² + floor): D̄ the change averaged over the colours, ∇ the
    /// differences to the left and upper neighbours, and flat the pixels where the crop's own steps
    /// are below <see cref="FlatStep"/>. It does not depend on the change's size, so the decoder cannot
    /// lower it by changing less; an even change, or one that steps only where the crop has edges,
    /// scores the floor.
    /// </summary>
    public static Tensor Roughness(Tensor change, Tensor images)
    {
        var mean = change.mean([1], keepdim: true);
        var (changeX, changeY) = Differences(mean);
        var (imageX, imageY) = Differences(images);
        var crossing = imageX.abs().amax([1], keepdim: true).maximum(imageY.abs().amax([1], keepdim: true));
        var flat = crossing.lt(Scalars.Of(FlatStep)).to_type(mean.dtype);
        var rough = (flat * changeX.Squared().Plus(changeY.Squared())).sum([1, 2, 3]);
        var size = mean.Squared().sum([1, 2, 3]).Plus(SizeFloor);
        return (rough / size).Plus(RoughnessFloor).log();
    }

    /// <summary>Each pixel's step from its left and from its upper neighbour (the first row and column dropped).</summary>
    static (Tensor X, Tensor Y) Differences(Tensor planes) =>
        (planes[.., .., 1.., 1..] - planes[.., .., 1.., ..^1], planes[.., .., 1.., 1..] - planes[.., .., ..^1, 1..]);

    /// <summary>Per crop, a stroke's weights (a Gaussian spot of radius 4–10 px at a random place) and its colour, on [−1, 1].</summary>
    static (Tensor Weights, Tensor Colours) RandomStrokes(Tensor images, Generator noise)
    {
        long batch = images.shape[0], size = images.shape[2];
        var device = images.device;
        var centre = rand([batch, 2, 1, 1], generator: noise, device: device).Times(size);
        var radius = rand([batch, 1, 1, 1], generator: noise, device: device).Times(StrokeRadiusRange).Plus(SmallestStrokeRadius);
        var ramp = arange(Scalars.Of(size), device: device, dtype: ScalarType.Float32);
        var down = ramp.view(1, 1, size, 1) - centre[.., 0..1];
        var across = ramp.view(1, 1, 1, size) - centre[.., 1..2];
        var weights = (down.Squared().Plus(across.Squared()).neg() / radius.Squared().Times(2)).exp();
        var colours = rand([batch, 3, 1, 1], generator: noise, device: device).Times(2).Minus(1);
        return (weights, colours);
    }
}
