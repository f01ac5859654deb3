using NeuralPhotoEdit.Evaluation;
using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Networks;
using NeuralPhotoEdit.Training;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Tests;

/// <summary>Tuning the encoder to its fixed decoder: it raises the reconstruction PSNR, changes only the
/// encoder, and a run writes a model whose code distribution is fitted to the new codes.</summary>
public class ReconstructionTuningTests : IDisposable
{
    readonly TempDirectory _temp = TestSupport.TempDirectory();

    public ReconstructionTuningTests() => TorchRuntime.EnsureInitialised();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TuningRaisesTheShippedModelsPsnrAndTouchesOnlyTheEncoder()
    {
        using var loaded = ModelFile.Load(DefaultModel.Resolve(null));
        var network = loaded.Network;
        using var crops = ReconstructionEvaluation.LoadCrops(TestSupport.FixturePhotos, network.Config.ImageSize, 16, seed: 3);
        var before = Snapshot(network);
        double psnrBefore = ReconstructionEvaluation.MeanPsnr(network, crops, CPU);

        using (var tuning = new ReconstructionTuning(network, learningRate: 1e-4))
        using (var noise = new Generator(1))
            for (int step = 0; step < 15; step++) tuning.Step(crops, noise);

        double psnrAfter = ReconstructionEvaluation.MeanPsnr(network, crops, CPU);
        // Measured: 15 steps on these 16 crops gain about 1 dB.
        Assert.True(psnrAfter > psnrBefore + 0.5, $"PSNR {psnrBefore:F2} → {psnrAfter:F2} dB");
        var after = Snapshot(network);
        foreach (var (name, value) in before)
        {
            bool encoderMean = name.StartsWith("trunk.") || (name.StartsWith("encoder.") && !name.StartsWith("encoder.logSigma"));
            bool same = value.SequenceEqual(after[name]);
            if (!encoderMean) Assert.True(same, $"{name} changed");
        }
        Assert.Contains(before, kv => kv.Key.StartsWith("trunk.") && kv.Key.EndsWith("weight") && !kv.Value.SequenceEqual(after[kv.Key]));
        Assert.Contains(before, kv => kv.Key.StartsWith("encoder.mean") && !kv.Value.SequenceEqual(after[kv.Key]));
    }

    [Fact]
    public void ATuningRunWritesAModelWithItsCodesFittedAgainAndItsNewPadding()
    {
        string input = _temp.File("input.safetensors"), output = _temp.File("tuned.safetensors");
        var stale = new CodeDistribution(new double[IanConfig.Tiny.LatentSize], Identity(IanConfig.Tiny.LatentSize, 5));
        using (var network = new IntrospectiveAdversarialNetwork(IanConfig.Tiny))
            ModelFile.Save(input, network, new Dictionary<string, string> { ["train_steps"] = "7" }, codes: stale);

        var log = new List<string>();
        var psnr = new ReconstructionTuningRun(new ReconstructionTuningOptions
        {
            ModelPath = input, DataDirectory = TestSupport.FixturePhotos, OutputPath = output,
            Steps = 3, Batch = 4, SaveEvery = 2, CodeFitCrops = 40, Device = "cpu",
            TuneDecoder = true, DecoderPadding = IanConfig.ReflectPadding, EvenChangeWeight = 0.5, ReachWeight = 0.25,
            EvaluationDirectories = [TestSupport.FixturePhotos], EvaluationCrops = 20,
        }, log.Add, _ => { }).Run();

        Assert.Equal(3, psnr.Count);
        Assert.Contains(log, line => line.StartsWith("Step 0: "));
        Assert.Contains(log, line => line.StartsWith("Step 3: "));
        using var tuned = ModelFile.Load(output);
        Assert.Equal("3", tuned.Metadata[ReconstructionTuningRun.StepsKey]);
        Assert.Equal(IanConfig.ReflectPadding, tuned.Config.DecoderPadding);
        Assert.Equal("0.5", tuned.Metadata[ReconstructionTuningRun.EvenChangeKey]);
        Assert.Equal("0.25", tuned.Metadata[ReconstructionTuningRun.ReachKey]);
        Assert.Equal("7", tuned.Metadata["train_steps"]);
        Assert.Equal("40", tuned.Metadata["code_distribution_crops"]);
        // The tiny untrained encoder's codes are nowhere near the stale N(0, 25 I).
        Assert.NotNull(tuned.Codes);
        Assert.InRange(tuned.Codes!.Scale[0], 0, 4);
        using var crops = ReconstructionEvaluation.LoadCrops(TestSupport.FixturePhotos, IanConfig.Tiny.ImageSize, 40, seed: 0);
        var refitted = CodeDistributionFit.Fit(tuned.Network, crops, CPU);
        Assert.Equal(refitted.Mean, tuned.Codes.Mean);
    }

    [Fact]
    public void TheWeightAverageFollowsItsRampedDecayAndSwapsBack()
    {
        using var weight = new TorchSharp.Modules.Parameter(zeros(1));
        using var average = new WeightAverage([weight], decay: 0.995);
        using (no_grad()) weight.fill_(NeuralPhotoEdit.Scalars.Of(10));
        average.Update(); // d₀ = min(0.995, 1/10): 0.1·0 + 0.9·10
        using (no_grad()) weight.fill_(NeuralPhotoEdit.Scalars.Of(20));
        average.Update(); // d₁ = 2/11: (2/11)·9 + (9/11)·20
        average.Swap();
        Assert.Equal(18.0, weight.item<float>(), 4);
        average.Swap();
        Assert.Equal(20.0, weight.item<float>(), 4);
        Assert.Equal(3.0 / 12, average.NextDecay, 12);
    }

    [Fact]
    public void ATuningRunWithAnAverageSavesTheAveragedWeights()
    {
        string input = _temp.File("input.safetensors");
        using (var network = new IntrospectiveAdversarialNetwork(IanConfig.Tiny)) ModelFile.Save(input, network);
        Dictionary<string, float[]> Tune(double decay, string name)
        {
            string output = _temp.File(name);
            new ReconstructionTuningRun(new ReconstructionTuningOptions
            {
                ModelPath = input, DataDirectory = TestSupport.FixturePhotos, OutputPath = output,
                Steps = 4, Batch = 4, SaveEvery = 2, Device = "cpu", TuneDecoder = true, LearningRate = 1e-3,
                WeightAverageDecay = decay,
            }, _ => { }, _ => { }).Run();
            using var tuned = ModelFile.Load(output);
            Assert.Equal(decay > 0, tuned.Metadata.ContainsKey(ReconstructionTuningRun.WeightAverageKey));
            return Snapshot(tuned.Network);
        }
        var last = Tune(0, "last.safetensors");
        var averaged = Tune(0.9, "averaged.safetensors");
        using var start = ModelFile.Load(input);
        var initial = Snapshot(start.Network);
        // The average of the steps' weights lies between the start and the last step: nearer the start than the last step is.
        double Distance(Dictionary<string, float[]> a, Dictionary<string, float[]> b) =>
            a.Where(kv => kv.Key.StartsWith("decoder.") && kv.Key.EndsWith("weight")).Sum(kv =>
                kv.Value.Zip(b[kv.Key], (x, y) => (double)(x - y) * (x - y)).Sum());
        double lastMoved = Distance(last, initial), averageMoved = Distance(averaged, initial);
        Assert.True(averageMoved > 0 && averageMoved < 0.9 * lastMoved, $"moved {averageMoved:G3} (average) against {lastMoved:G3} (last step)");
    }

    [Theory]
    [InlineData("padding")]
    [InlineData("even change")]
    [InlineData("reach")]
    public void ChangingHowTheDecoderWorksWithoutTuningItIsRefused(string change)
    {
        string input = _temp.File("input.safetensors"), output = _temp.File("out.safetensors");
        using (var network = new IntrospectiveAdversarialNetwork(IanConfig.Tiny)) ModelFile.Save(input, network);
        var error = Assert.Throws<UserInputException>(() => new ReconstructionTuningRun(new ReconstructionTuningOptions
        {
            ModelPath = input, DataDirectory = TestSupport.FixturePhotos, OutputPath = output, Device = "cpu",
            DecoderPadding = change == "padding" ? IanConfig.ReflectPadding : null,
            EvenChangeWeight = change == "even change" ? 0.5 : 0,
            ReachWeight = change == "reach" ? 0.5 : 0,
        }, _ => { }, _ => { }).Run());
        Assert.Contains("decoder", error.Message);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void AnAverageThatWouldNeverMoveOrRunsBackwardsIsRefused(double decay)
    {
        string input = _temp.File("input.safetensors"), output = _temp.File("out.safetensors");
        using (var network = new IntrospectiveAdversarialNetwork(IanConfig.Tiny)) ModelFile.Save(input, network);
        var error = Assert.Throws<UserInputException>(() => new ReconstructionTuningRun(new ReconstructionTuningOptions
        {
            ModelPath = input, DataDirectory = TestSupport.FixturePhotos, OutputPath = output, Device = "cpu",
            TuneDecoder = true, WeightAverageDecay = decay,
        }, _ => { }, _ => { }).Run());
        Assert.Contains("decay", error.Message);
        Assert.False(File.Exists(output));
    }

    static Dictionary<string, float[]> Snapshot(IntrospectiveAdversarialNetwork network) =>
        network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to(ScalarType.Float32).data<float>().ToArray());

    static double[] Identity(int n, double sigma)
    {
        var scale = new double[n * n];
        for (int i = 0; i < n; i++) scale[i * n + i] = sigma;
        return scale;
    }
}
