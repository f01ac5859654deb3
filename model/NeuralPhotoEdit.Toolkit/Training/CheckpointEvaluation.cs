using System.Text.Json;
using NeuralPhotoEdit.Evaluation;
using NeuralPhotoEdit.Networks;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Training;

/// <summary>
/// Scores a training run's model at every checkpoint on fixed crops of some evaluation folders (the
/// PSNR-over-steps curve a model card shows). The crops are loaded once, with seed 0, so each figure
/// is exactly what <c>npe eval --crops N --seed 0</c> prints for that checkpoint's model file.
/// </summary>
sealed class CheckpointEvaluation : IDisposable
{
    readonly List<(string Name, Tensor Crops)> _sets = [];
    readonly Device _device;

    public CheckpointEvaluation(IReadOnlyList<string> directories, int size, int crops, Device device)
    {
        _device = device;
        try
        {
            foreach (var directory in directories)
                _sets.Add((directory, ReconstructionEvaluation.LoadCrops(directory, size, crops, seed: 0)));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public bool IsEmpty => _sets.Count == 0;

    /// <summary>Mean PSNR per folder, in the order given.</summary>
    public IReadOnlyList<(string Name, double Psnr)> Score(IntrospectiveAdversarialNetwork network) =>
        _sets.Select(set => (set.Name, ReconstructionEvaluation.MeanPsnr(network, set.Crops, _device))).ToList();

    /// <summary>One JSON line: {"step":N,"psnr":{"folder":dB,…}}.</summary>
    public static string ToJsonLine(long step, IReadOnlyList<(string Name, double Psnr)> scores) =>
        JsonSerializer.Serialize(new { step, psnr = scores.ToDictionary(s => s.Name, s => s.Psnr) });

    /// <summary>One line for the log: "Step N: folder dB; …".</summary>
    public static string Describe(long step, IReadOnlyList<(string Name, double Psnr)> scores) =>
        $"Step {step}: " + string.Join("; ", scores.Select(s => $"{s.Name} {s.Psnr:F2} dB")) + ".";

    public void Dispose()
    {
        foreach (var (_, crops) in _sets) crops.Dispose();
        _sets.Clear();
    }
}
