using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Networks;
using NeuralPhotoEdit.Training;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Tests;

public class TrainingTests
{
    public TrainingTests() => TorchRuntime.EnsureInitialised();

    static TrainingOptions Options(string output, long steps, bool resume = false, int every = 1000,
                                   ObjectiveWeights? weights = null, LearningRateSchedule? schedule = null) => new()
    {
        DataDirectory = TestSupport.FixturePhotos, OutputDirectory = output, Config = "ian-tiny",
        Batch = 16, Steps = steps, Seed = 3, Resume = resume, CheckpointEvery = every, Device = "cpu", Weights = weights ?? new(),
        Schedule = schedule,
    };

    [Fact]
    public void AShortRunOnRealPhotosClearlyLowersTheReconstructionLoss()
    {
        using var temp = TestSupport.TempDirectory();
        var options = Options(temp.Path, 150, every: 75) with { EvaluationDirectories = [TestSupport.FixturePhotos], EvaluationCrops = 60 };
        var losses = new TrainingRun(options, _ => { }, _ => { }).Run();
        double first = losses.Take(15).Average(l => l.Pixel), last = losses.TakeLast(15).Average(l => l.Pixel);
        Assert.True(last < 0.75 * first, $"pixel loss went from {first:F3} to {last:F3}; expected a drop of at least 25 %");

        // The run leaves what a user looks at: a model, a checkpoint, metrics and both picture grids.
        Assert.True(File.Exists(Path.Combine(temp.Path, TrainingRun.ModelFileName)));
        Assert.True(File.Exists(Path.Combine(temp.Path, TrainingRun.CheckpointFile)));
        Assert.Equal(150, File.ReadAllLines(Path.Combine(temp.Path, TrainingRun.MetricsFile)).Length);
        Assert.True(File.Exists(Path.Combine(temp.Path, "samples", "step-000150.png")));
        Assert.True(File.Exists(Path.Combine(temp.Path, "reconstructions", "step-000150.png")));

        // The PSNR curve: one line per checkpoint, rising, and its last figure is what `npe eval`
        // prints for the model file the run wrote (same crops: seed 0).
        var curve = File.ReadAllLines(Path.Combine(temp.Path, TrainingRun.EvaluationsFile))
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement)
            .Select(e => (Step: e.GetProperty("step").GetInt64(), Psnr: e.GetProperty("psnr").GetProperty(TestSupport.FixturePhotos).GetDouble()))
            .ToList();
        Assert.Equal([75L, 150L], curve.Select(c => c.Step));
        Assert.True(curve[1].Psnr > curve[0].Psnr + 0.5, $"PSNR went from {curve[0].Psnr} to {curve[1].Psnr} dB");
        using var model = ModelFile.Load(Path.Combine(temp.Path, TrainingRun.ModelFileName));
        var evaluated = Evaluation.ReconstructionEvaluation.Run(model.Network, "m", TestSupport.FixturePhotos, 60, 0, model.Device);
        Assert.Equal(evaluated.Psnr, curve[1].Psnr, 0.02);

        // …and drawn: the chart's one line rises (SVG's y grows downward).
        var chart = System.Xml.Linq.XDocument.Load(Path.Combine(temp.Path, TrainingRun.EvaluationChartFile));
        var line = Assert.Single(chart.Descendants(), e => e.Name.LocalName == "polyline");
        var y = line.Attribute("points")!.Value.Split(' ').Select(p =>
            double.Parse(p.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, y.Count);
        Assert.True(y[1] < y[0], $"the chart's line goes from y {y[0]} to {y[1]}");
    }

    [Fact]
    public void TheEvaluationChartDrawsOneLinePerFolderThroughEveryCheckpoint()
    {
        var rows = new[]
        {
            new EvaluationChart.Row(250, new Dictionary<string, double> { ["data/heldout"] = 24.0, ["data/<other>"] = 21.0 }),
            new EvaluationChart.Row(500, new Dictionary<string, double> { ["data/heldout"] = 25.0, ["data/<other>"] = 21.5 }),
            new EvaluationChart.Row(750, new Dictionary<string, double> { ["data/heldout"] = 26.5, ["data/<other>"] = 21.2 }),
        };
        var chart = System.Xml.Linq.XDocument.Parse(EvaluationChart.Svg(rows)!);   // well-formed, names escaped
        var lines = chart.Descendants().Where(e => e.Name.LocalName == "polyline").ToList();
        Assert.Equal(2, lines.Count);
        var heldOut = lines[0].Attribute("points")!.Value.Split(' ').Select(p =>
            p.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.Equal(3, heldOut.Count);
        Assert.True(heldOut[0][0] < heldOut[1][0] && heldOut[1][0] < heldOut[2][0], "steps run left to right");
        Assert.True(heldOut[0][1] > heldOut[1][1] && heldOut[1][1] > heldOut[2][1], "a rising PSNR rises on the chart");
        Assert.Contains(chart.Descendants(), e => e.Name.LocalName == "text" && e.Value == "<other> (21.20)");
        Assert.Null(EvaluationChart.Svg(rows[..1]));
    }

    [Fact]
    public void ResumingFromACheckpointGivesTheSameLossesAsAnUninterruptedRun()
    {
        using var straight = TestSupport.TempDirectory();
        using var split = TestSupport.TempDirectory();
        // Non-default weights and a learning-rate halving after the split: the resumed half must take
        // both from the checkpoint, not the options.
        var weights = new ObjectiveWeights(Kl: 0.5, Adversarial: 2);
        var schedule = new LearningRateSchedule([6]);
        var uninterrupted = new TrainingRun(Options(straight.Path, 8, weights: weights, schedule: schedule), _ => { }, _ => { }).Run();

        var firstHalf = new TrainingRun(Options(split.Path, 4, every: 4, weights: weights, schedule: schedule), _ => { }, _ => { }).Run();
        var secondHalf = new TrainingRun(Options(split.Path, 8, resume: true, every: 4), _ => { }, _ => { }).Run();

        Assert.Equal(uninterrupted, firstHalf.Concat(secondHalf).ToList());
        Assert.Equal(8, File.ReadAllLines(Path.Combine(split.Path, TrainingRun.MetricsFile)).Length);
    }

    [Fact]
    public void ARunWithSeparateBatchesResumesWithSeparateBatches()
    {
        using var temp = TestSupport.TempDirectory();
        new TrainingRun(Options(temp.Path, 2, every: 2) with { SeparateBatches = true }, _ => { }, _ => { }).Run();
        var (trainer, _, _) = TrainingCheckpoint.Load(Path.Combine(temp.Path, TrainingRun.CheckpointFile), CPU);
        using (trainer) Assert.True(trainer.SeparateBatches);
        var messages = new List<string>();
        new TrainingRun(Options(temp.Path, 3, resume: true), messages.Add, _ => { }).Run();   // the options say one batch
        Assert.Contains(messages, m => m.Contains("reconstructions and samples in separate batches"));
    }

    /// <summary>A new α on resume is a fine-tuning phase: it ramps in from the resume step (not from
    /// step 0, which would switch it on at full weight at once), and the run keeps it when resumed again.</summary>
    [Fact]
    public void AnAdversarialWeightGivenOnResumeRampsInFromTheResumeStep()
    {
        using var temp = TestSupport.TempDirectory();
        string checkpoint = Path.Combine(temp.Path, TrainingRun.CheckpointFile);
        new TrainingRun(Options(temp.Path, 2, every: 2), _ => { }, _ => { }).Run();   // α = 0
        new TrainingRun(Options(temp.Path, 3, resume: true) with { ResumeAdversarialWeight = 0.5 }, _ => { }, _ => { }).Run();
        var (trainer, _, _) = TrainingCheckpoint.Load(checkpoint, CPU);
        using (trainer)
        {
            Assert.Equal(new ObjectiveWeights(ObjectiveWeights.DefaultKl, 0.5, AdversarialFrom: 2), trainer.Weights);
            Assert.Equal(0, trainer.Weights.AdversarialAt(1, IanTrainer.AdversarialWarmupSteps));
            Assert.Equal(0.5 / IanTrainer.AdversarialWarmupSteps, trainer.Weights.AdversarialAt(2, IanTrainer.AdversarialWarmupSteps), 12);
            Assert.Equal(0.5, trainer.Weights.AdversarialAt(2 + IanTrainer.AdversarialWarmupSteps, IanTrainer.AdversarialWarmupSteps));
        }
        var messages = new List<string>();
        new TrainingRun(Options(temp.Path, 4, resume: true) with { ResumeAdversarialWeight = 0.5 }, messages.Add, _ => { }).Run();
        Assert.Contains(messages, m => m.Contains("adversarial weight 0.5 from step 2"));
    }

    /// <summary>A new β on resume applies from the resume step and stays with the run; α is untouched.</summary>
    [Fact]
    public void AKlWeightGivenOnResumeReplacesTheRunsOwn()
    {
        using var temp = TestSupport.TempDirectory();
        new TrainingRun(Options(temp.Path, 2, every: 2), _ => { }, _ => { }).Run();
        new TrainingRun(Options(temp.Path, 3, resume: true) with { ResumeKlWeight = 0.003 }, _ => { }, _ => { }).Run();
        var messages = new List<string>();
        new TrainingRun(Options(temp.Path, 4, resume: true), messages.Add, _ => { }).Run();
        Assert.Contains(messages, m => m.Contains("KL weight 0.003, adversarial weight 0;"));
        Assert.Throws<UserInputException>(() => new TrainingRun(Options(temp.Path, 5, resume: true) with { ResumeKlWeight = -1 }, _ => { }, _ =>
            { }).Run());
    }

    /// <summary>A resize decoder resumed with the other resize keeps every weight and trains on with the
    /// new resize, which its checkpoint then records; a transposed decoder cannot switch.</summary>
    [Fact]
    public void AResizeDecoderCanBeResumedWithBilinearResizing()
    {
        using var temp = TestSupport.TempDirectory();
        string config = Path.Combine(temp.Path, "tiny-resize.json");
        File.WriteAllText(config, (IanConfig.Tiny with { Upsampling = IanConfig.ResizeUpsampling, GeneratorKernel = 3 }).ToJson());
        string run = Path.Combine(temp.Path, "run"), checkpoint = Path.Combine(run, TrainingRun.CheckpointFile);
        new TrainingRun(Options(run, 2, every: 2) with { Config = config }, _ => { }, _ => { }).Run();
        float[] before;
        var (nearest, _, _) = TrainingCheckpoint.Load(checkpoint, CPU);
        using (nearest) before = nearest.Network.Decoder.parameters().First().data<float>().ToArray();

        var (switched, _, _) = TrainingCheckpoint.Load(checkpoint, CPU, new TrainingCheckpoint.Changes(Upsampling: IanConfig.BilinearUpsampling));
        using (switched)
        {
            Assert.Equal(IanConfig.BilinearUpsampling, switched.Network.Config.Upsampling);
            Assert.Equal(before, switched.Network.Decoder.parameters().First().data<float>().ToArray());
        }
        new TrainingRun(Options(run, 3, resume: true) with { ResumeUpsampling = IanConfig.BilinearUpsampling }, _ => { }, _ => { }).Run();
        var (resumed, _, _) = TrainingCheckpoint.Load(checkpoint, CPU);
        using (resumed) Assert.Equal(IanConfig.BilinearUpsampling, resumed.Network.Config.Upsampling);

        string transposed = Path.Combine(temp.Path, "transposed");
        new TrainingRun(Options(transposed, 2, every: 2), _ => { }, _ => { }).Run();
        var error = Assert.Throws<UserInputException>(() =>
            new TrainingRun(Options(transposed, 3, resume: true) with { ResumeUpsampling = IanConfig.BilinearUpsampling }, _ => { }, _ => { }).Run());
        Assert.Contains("this run's decoder is 'transposed'", error.Message);
    }

    [Fact]
    public void ANewRunNeverWritesOverAnotherRunsOutput()
    {
        using var temp = TestSupport.TempDirectory();
        string model = Path.Combine(temp.Path, TrainingRun.ModelFileName);
        File.WriteAllText(model, "someone's model");
        var error = Assert.Throws<UserInputException>(() => new TrainingRun(Options(temp.Path, 2), _ => { }, _ => { }).Run());
        Assert.Contains("already holds training output (model.safetensors)", error.Message);
        Assert.Equal("someone's model", File.ReadAllText(model));
        Assert.False(File.Exists(Path.Combine(temp.Path, TrainingRun.CheckpointFile)));
    }

    [Theory]
    [InlineData(-0.1, 1, "KL weight")]
    [InlineData(double.NaN, 1, "KL weight")]
    [InlineData(1, -1, "adversarial weight")]
    [InlineData(1, double.PositiveInfinity, "adversarial weight")]
    public void NegativeOrNonNumericObjectiveWeightsAreRejected(double kl, double adversarial, string setting)
    {
        using var temp = TestSupport.TempDirectory();
        var weights = new ObjectiveWeights(kl, adversarial);
        var error = Assert.Throws<UserInputException>(() => new TrainingRun(Options(temp.Path, 2, weights: weights), _ => { }, _ => { }).Run());
        Assert.Contains(setting, error.Message);
    }

    [Fact]
    public void ARunRefusesToOverwriteAnotherRunWithoutResume()
    {
        using var temp = TestSupport.TempDirectory();
        new TrainingRun(Options(temp.Path, 2, every: 2), _ => { }, _ => { }).Run();
        var error = Assert.Throws<UserInputException>(() => new TrainingRun(Options(temp.Path, 4), _ => { }, _ => { }).Run());
        Assert.Contains("resume it", error.Message);
    }

    [Fact]
    public void ModelFileRoundTripGivesBitIdenticalOutputs()
    {
        using var temp = TestSupport.TempDirectory();
        manual_seed(5);
        using var network = new Networks.IntrospectiveAdversarialNetwork(Networks.IanConfig.Tiny);
        network.eval();
        string path = temp.File("model.safetensors");
        ModelFile.Save(path, network, new Dictionary<string, string> { ["note"] = "round trip" });
        using var loaded = ModelFile.Load(path);
        Assert.Equal("round trip", loaded.Metadata["note"]);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var images = rand(2, 3, 32, 32).Times(2).Minus(1);
        var z = randn(2, 16);
        Assert.True(network.Decode(z).eq(loaded.Network.Decode(z)).all().item<bool>());
        Assert.True(network.Encode(images).Mean.eq(loaded.Network.Encode(images).Mean).all().item<bool>());
        Assert.True(network.Discriminate(images).eq(loaded.Network.Discriminate(images)).all().item<bool>());

        // float16 storage halves the file and stays close.
        string half = temp.File("half.safetensors");
        ModelFile.Save(half, network, halfPrecision: true);
        Assert.True(new FileInfo(half).Length < 0.6 * new FileInfo(path).Length);
        using var loadedHalf = ModelFile.Load(half);
        Assert.True(network.Decode(z).allclose(loadedHalf.Network.Decode(z), rtol: 0, atol: 0.05));
    }

    [Fact]
    public void TheLearningRateHalvesAtTheScheduledStepsAndBadSchedulesAreRefused()
    {
        var schedule = LearningRateSchedule.Parse("100, 300")!;
        Assert.Equal(2e-4, schedule.RateAt(0));
        Assert.Equal(2e-4, schedule.RateAt(99));
        Assert.Equal(1e-4, schedule.RateAt(100));
        Assert.Equal(5e-5, schedule.RateAt(5000));
        Assert.Null(LearningRateSchedule.Parse("100;x"));
        Assert.NotNull(LearningRateSchedule.Parse("300,100")!.Problem());

        using var temp = TestSupport.TempDirectory();
        var error = Assert.Throws<UserInputException>(() =>
            new TrainingRun(Options(temp.Path, 2, schedule: new LearningRateSchedule([0])), _ => { }, _ => { }).Run());
        Assert.Contains("halving steps", error.Message);
    }

    [Fact]
    public void AScheduleGivenOnResumeReplacesTheStoredOneAndIsStored()
    {
        using var temp = TestSupport.TempDirectory();
        new TrainingRun(Options(temp.Path, 2, every: 2), _ => { }, _ => { }).Run();
        new TrainingRun(Options(temp.Path, 3, resume: true, every: 1, schedule: new LearningRateSchedule([3])), _ => { }, _ => { }).Run();
        var (trainer, position, _) = TrainingCheckpoint.Load(Path.Combine(temp.Path, TrainingRun.CheckpointFile), CPU);
        using (trainer)
        {
            Assert.Equal(3, position.Step);
            Assert.Equal([3L], trainer.Schedule.HalveAt);
            Assert.Equal(1e-4, trainer.Schedule.RateAt(3));
        }
    }

    [Fact]
    public void HalvingTheLearningRateChangesTrainingFromThatStepOn()
    {
        using var constantRun = TestSupport.TempDirectory();
        using var halvedRun = TestSupport.TempDirectory();
        var constant = new TrainingRun(Options(constantRun.Path, 3), _ => { }, _ => { }).Run();
        var halved = new TrainingRun(Options(halvedRun.Path, 3, schedule: new LearningRateSchedule([1])), _ => { }, _ => { }).Run();
        // Step 0 updates at the full rate in both runs; step 1 at half the rate in the second, which
        // shows in the losses of step 2.
        Assert.Equal(constant.Take(2), halved.Take(2));
        Assert.NotEqual(constant[2].Pixel, halved[2].Pixel);
    }
}
