using NeuralPhotoEdit.Evaluation;
using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Training;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Tests;

/// <summary>The even-change term: it scores how unevenly a change crosses a crop's flat areas, whatever
/// the change's size, and tuning with it makes the decoder's changes more even.</summary>
public class EvenChangeTests
{
    const int Size = 32;
    static readonly double Floor = Math.Log(1e-5);

    public EvenChangeTests() => TorchRuntime.EnsureInitialised();

    [Fact]
    public void AnEvenChangeOnAFlatCropScoresTheFloor()
    {
        using var scope = NewDisposeScope();
        var photo = full(new long[] { 1, 3, Size, Size }, NeuralPhotoEdit.Scalars.Of(0.2f));
        var change = full(new long[] { 1, 3, Size, Size }, NeuralPhotoEdit.Scalars.Of(0.3f));
        Assert.InRange(Roughness(change, photo), Floor - 0.01, Floor + 0.01);
    }

    [Fact]
    public void ASpotOfChangeOnAFlatCropIsRoughWhateverItsSize()
    {
        using var scope = NewDisposeScope();
        var photo = full(new long[] { 1, 3, Size, Size }, NeuralPhotoEdit.Scalars.Of(0.2f));
        var spot = Spot();
        double small = Roughness(spot.Times(0.1), photo), large = Roughness(spot, photo);
        // A Gaussian of radius 4: Σ|∇D|²/ΣD² ≈ 1/(2·4²) ≈ 0.03, far above the floor's 1e-5.
        Assert.True(large > Math.Log(0.01), $"roughness {large:F2}");
        Assert.Equal(large, small, 3);
    }

    [Fact]
    public void AChangeThatStepsWhereThePhotoHasAnEdgeIsEven()
    {
        using var scope = NewDisposeScope();
        var halves = zeros(1, 3, Size, Size);
        halves[.., .., .., (Size / 2)..] = tensor(1f);
        var flat = full(new long[] { 1, 3, Size, Size }, NeuralPhotoEdit.Scalars.Of(0.5f));
        // The change is the same step as the photo: on the photo with the edge it crosses no flat pixel.
        Assert.InRange(Roughness(halves.Times(0.2), halves), Floor - 0.01, Floor + 0.01);
        Assert.True(Roughness(halves.Times(0.2), flat) > Math.Log(0.01));
    }

    [Fact]
    public void TuningWithTheTermMakesTheTrainedDecodersChangesMoreEven()
    {
        double without = TermsAfterTuning(evenChange: 0, reach: 0).Roughness, with = TermsAfterTuning(evenChange: 1, reach: 0).Roughness;
        Assert.True(with < without - 0.1, $"even-change term {without:F2} without it, {with:F2} with it");
    }

    [Fact]
    public void TuningWithTheReachTermTakesAStrokesColourFurtherInOneStep()
    {
        double without = TermsAfterTuning(evenChange: 0, reach: 0).Reach, with = TermsAfterTuning(evenChange: 0, reach: 1).Reach;
        // The reach is the log of the stroke's error after the step over before it: lower goes further.
        Assert.True(with < without - 0.05, $"reach {without:F3} without the term, {with:F3} with it");
    }

    /// <summary>Both terms of the training run's decoder on fixture crops (fixed strokes) after 8 tuning
    /// steps with these weights. The run's model, not the shipped one: the shipped decoder was already
    /// tuned with both terms, so a few more steps of them would show little.</summary>
    static (double Roughness, double Reach) TermsAfterTuning(double evenChange, double reach)
    {
        using var loaded = ModelFile.Load(TestSupport.TrainingRunModel("ian-cpu-resize"));
        var network = loaded.Network;
        using var crops = ReconstructionEvaluation.LoadCrops(TestSupport.FixturePhotos, network.Config.ImageSize, 16, seed: 3);
        using (var tuning = new ReconstructionTuning(network, learningRate: 1e-4, tuneDecoder: true, evenChangeWeight: evenChange,
            reachWeight: reach))
        using (var noise = new Generator(1))
            for (int step = 0; step < 8; step++) tuning.Step(crops, noise);
        using var scope = NewDisposeScope();
        network.eval();
        using var strokes = new Generator(99);
        var (code, _) = network.Encode(crops);
        var terms = EvenChange.Terms(network, code, network.Decode(code), crops, strokes);
        return (terms.Roughness.item<float>(), terms.Reach.item<float>());
    }

    [Fact]
    public void TheTermNeedsTheDecoderTuned()
    {
        using var loaded = ModelFile.Load(DefaultModel.Resolve(null));
        Assert.Throws<ArgumentException>(() => new ReconstructionTuning(loaded.Network, 1e-4, tuneDecoder: false, evenChangeWeight: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconstructionTuning(loaded.Network, 1e-4, tuneDecoder: true, evenChangeWeight: -1));
        Assert.Throws<ArgumentException>(() => new ReconstructionTuning(loaded.Network, 1e-4, tuneDecoder: false, reachWeight: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconstructionTuning(loaded.Network, 1e-4, tuneDecoder: true, reachWeight: double.NaN));
    }

    static double Roughness(Tensor change, Tensor photo) => EvenChange.Roughness(change, photo).item<float>();

    static Tensor Spot()
    {
        var ramp = arange(NeuralPhotoEdit.Scalars.Of(Size), dtype: ScalarType.Float32).Minus(Size / 2.0);
        var squared = ramp.view(1, 1, Size, 1).Squared().Plus(ramp.view(1, 1, 1, Size).Squared());
        return squared.neg().DividedBy(2 * 4 * 4).exp().expand(1, 3, Size, Size).contiguous();
    }
}
