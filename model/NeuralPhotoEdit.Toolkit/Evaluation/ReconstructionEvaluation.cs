using NeuralPhotoEdit.Networks;
using NeuralPhotoEdit.Training;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Evaluation;

public sealed record EvaluationResult(string Model, string Data, int Crops, int Seed, double Psnr,
                                      double? Pca25Psnr = null, double? Pca100Psnr = null, int? PcaFitCrops = null)
{
    /// <summary>PSNR of G(Z₀) with the code refined as the editor refines it (<see cref="PhotoCodes"/>),
    /// and how many steps; null when not asked for.</summary>
    public double? RefinedPsnr { get; init; }
    public int? RefinementSteps { get; init; }
    /// <summary><see cref="GridPattern"/> of 256 samples G(z), z ~ N(0, I), seeded.</summary>
    public double SampleGrid { get; init; }
    /// <summary><see cref="GridPattern"/> of 256 samples with z from the model's fitted
    /// <see cref="CodeDistribution"/>; null when the model has none.</summary>
    public double? FittedSampleGrid { get; init; }
    /// <summary><see cref="GridPattern"/> of the photos' crops themselves: what natural images score.</summary>
    public double PhotoGrid { get; init; }
    /// <summary><see cref="ThumbnailFrechetDistance"/> from half the crops to samples G(z), z ~ N(0, I), as
    /// many as the other half; with fitted codes (null when the model has none); and from the other half
    /// of the crops themselves (the floor).</summary>
    public double? SampleFrechet { get; init; }
    public double? FittedSampleFrechet { get; init; }
    public double? PhotoFrechet { get; init; }
}

/// <summary>The parts of <see cref="ReconstructionEvaluation.Run"/>, in the order they run, for progress reports.</summary>
public enum EvaluationStage
{
    /// <summary>Reconstructing the crops from the encoder's codes.</summary>
    EncoderCodes,
    /// <summary>Refining each crop's code as the editor does, and reconstructing again.</summary>
    RefinedCodes,
    /// <summary>Fitting the PCA baselines and scoring them.</summary>
    Baselines,
    /// <summary>Drawing samples for the grid pattern and the Fréchet distance.</summary>
    Samples,
}

/// <summary>
/// Mean reconstruction PSNR at the model's resolution, 8-bit output against 8-bit input: decode(μ(encode(x)))
/// — the model alone, as the paper reconstructs — and, when asked, decode(Z₀) with the code refined as
/// the editor refines it.
/// Photos already at the model's size are used as they are; larger ones give random square crops
/// covering 1×–8× the model size, shrunk to it (as the editor shrinks a region), with a fixed seed.
/// </summary>
public static class ReconstructionEvaluation
{
    public const int PcaFitCrops = 4000;
    const int GridSamples = 256;

    public static EvaluationResult Run(IntrospectiveAdversarialNetwork network, string modelName, string dataDirectory,
                                       int crops, int seed, Device device, string? pcaFitDirectory = null,
                                       int refinementSteps = 0, Action<EvaluationStage, int, int>? progress = null,
                                       CodeDistribution? codes = null)
    {
        int size = network.Config.ImageSize;
        var samples = LoadCrops(dataDirectory, size, crops, seed);
        int count = (int)samples.shape[0];
        double psnr = MeanPsnr(network, samples, device, progress: (done, total) => progress?.Invoke(EvaluationStage.EncoderCodes, done, total));
        double? refined = refinementSteps > 0
            ? MeanPsnr(network, samples, device, refinementSteps, (done, total) => progress?.Invoke(EvaluationStage.RefinedCodes, done, total))
            : null;

        double? pca25 = null, pca100 = null;
        if (pcaFitDirectory is not null)
        {
            progress?.Invoke(EvaluationStage.Baselines, 0, 1);
            using var fit = LoadCrops(pcaFitDirectory, size, PcaFitCrops, seed + 1);
            using var pca = PcaBaseline.Fit(fit.flatten(1), 100);
            var flat = samples.flatten(1);
            pca25 = Mean(ScoreAll(samples, pca.Reconstruct(flat, 25).view_as(samples)));
            pca100 = Mean(ScoreAll(samples, pca.Reconstruct(flat, 100).view_as(samples)));
            progress?.Invoke(EvaluationStage.Baselines, 1, 1);
        }
        progress?.Invoke(EvaluationStage.Samples, 0, 1);
        double photoGrid = GridPattern.Score(samples);
        // The crops' two halves: one is what samples are compared with, the other gives the floor.
        int half = count / 2;
        Tensor? reference = half >= 2 ? samples[half..(2 * half)] : null, firstHalf = half >= 2 ? samples[..half] : null;
        var standard = SampleScores(network, codes: null, seed, device, reference);
        (double Grid, double? Frechet)? fitted = codes is null ? null : SampleScores(network, codes, seed, device, reference);
        double? photoFrechet = reference is null ? null : Math.Round(ThumbnailFrechetDistance.Between(firstHalf!, reference), 4);
        samples.Dispose();
        progress?.Invoke(EvaluationStage.Samples, 1, 1);
        return new EvaluationResult(modelName, dataDirectory, count, seed, psnr, pca25, pca100, pcaFitDirectory is null ? null : PcaFitCrops)
        {
            SampleGrid = standard.Grid, PhotoGrid = Math.Round(photoGrid, 3), FittedSampleGrid = fitted?.Grid,
            SampleFrechet = standard.Frechet, FittedSampleFrechet = fitted?.Frechet, PhotoFrechet = photoFrechet,
            RefinedPsnr = refined, RefinementSteps = refinementSteps > 0 ? refinementSteps : null,
        };
    }

    /// <summary>Grid pattern of <see cref="GridSamples"/> seeded samples, and their thumbnail Fréchet
    /// distance to <paramref name="reference"/> (as many samples as it has crops), with codes from
    /// <paramref name="codes"/> or, when null, N(0, I).</summary>
    static (double Grid, double? Frechet) SampleScores(IntrospectiveAdversarialNetwork network, CodeDistribution? codes, int seed,
                                                       Device device, Tensor? reference)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        Tensor Draw(long n, ulong generatorSeed)
        {
            using var generator = new Generator(generatorSeed);
            var z = codes?.Sample(n, generator, CPU) ?? CodeDistribution.SampleStandard(n, network.Config.LatentSize, generator, CPU);
            return network.Decode(z.to(device));
        }
        double grid = Math.Round(GridPattern.Score(Draw(GridSamples, (ulong)seed)), 3);
        double? frechet = reference is null ? null
            : Math.Round(ThumbnailFrechetDistance.Between(Draw(reference.shape[0], (ulong)seed + 1), reference), 4);
        return (grid, frechet);
    }

    /// <summary>
    /// Mean PSNR of decode(Z₀) over <paramref name="crops"/> (N×3×S×S in [−1, 1], e.g. from
    /// <see cref="LoadCrops"/>), Z₀ = μ(encode(x)) refined by <paramref name="refinementSteps"/>
    /// (<see cref="PhotoCodes"/>; 0 = the encoder's mean), in eval mode; a network that was training
    /// is put back in training mode.
    /// </summary>
    public static double MeanPsnr(IntrospectiveAdversarialNetwork network, Tensor crops, Device device, int refinementSteps = 0,
                                  Action<int, int>? progress = null)
    {
        int count = (int)crops.shape[0];
        var psnr = new double[count];
        bool wasTraining = network.training;
        network.eval();
        try
        {
            const int chunk = 100;
            for (int start = 0; start < count; start += chunk)
            {
                using var scope = NewDisposeScope();
                int end = Math.Min(count, start + chunk);
                var batch = crops[start..end].to(device);
                var code = PhotoCodes.Encode(network, batch, refinementSteps);
                using var _ = no_grad();
                var reconstruction = network.Decode(code);
                Score(batch, reconstruction, psnr.AsSpan(start, end - start));
                progress?.Invoke(end, count);
            }
        }
        finally
        {
            if (wasTraining) network.train();
        }
        return Mean(psnr);
    }

    /// <summary>N×3×S×S crops in [−1, 1]: photos of exactly S×S as they are, random crops of the rest.</summary>
    public static Tensor LoadCrops(string directory, int size, int crops, int seed)
    {
        var files = PhotoCollection.FindImages(directory);
        if (files.Count == 0) throw new UserInputException($"No JPEG or PNG photos found in '{directory}'.");
        var exact = new List<float[]>();
        var photos = PhotoCollection.Load(directory, size, progress: null);
        var larger = new List<int>();
        for (int i = 0; i < photos.Count; i++)
        {
            var photo = photos.Pyramids[i][0];
            if (photo.Width == size && photo.Height == size) exact.Add(ImagePlanes(photo));
            else larger.Add(i);
        }
        var all = new List<float>();
        foreach (var e in exact) all.AddRange(e);
        int count = exact.Count;
        if (larger.Count > 0)
        {
            // Only the photos larger than the model's size are cropped.
            var sampler = new PatchSampler(photos, size, seed, Augmentation.None);
            int wanted = Math.Max(0, crops - count);
            int plane = 3 * size * size;
            int made = 0;
            for (long batchIndex = 0; made < wanted; batchIndex++)
            {
                var batch = sampler.Batch(batchIndex, Math.Min(256, wanted - made));
                all.AddRange(batch);
                made += batch.Length / plane;
            }
            count += made;
        }
        return tensor(all.ToArray(), [count, 3, size, size]);
    }

    static float[] ImagePlanes(Imaging.RgbaImage image)
    {
        using var t = Imaging.ImageTensors.ToTensor(image);
        return Imaging.ImageTensors.ToPlanes(t);
    }

    static void Score(Tensor images, Tensor reconstructions, Span<double> output)
    {
        var a = Imaging.ImageTensors.ToPlanes(images);
        var b = Imaging.ImageTensors.ToPlanes(reconstructions);
        int per = a.Length / output.Length;
        for (int i = 0; i < output.Length; i++)
            output[i] = Psnr.FromPlanes(a.AsSpan(i * per, per), b.AsSpan(i * per, per));
    }

    static double[] ScoreAll(Tensor images, Tensor reconstructions)
    {
        var result = new double[images.shape[0]];
        Score(images, reconstructions, result);
        reconstructions.Dispose();
        return result;
    }

    static double Mean(IReadOnlyCollection<double> values) => Math.Round(values.Average(), 3);
}
