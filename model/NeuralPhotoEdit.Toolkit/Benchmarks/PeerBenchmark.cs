using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Networks;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Benchmarks;

public sealed record PeerBenchmarkResult(
    string Model, int Threads, int Rounds,
    [property: JsonPropertyName("npe_step_ms")] double NpeStepMs,
    [property: JsonPropertyName("pytorch_step_ms")] double PyTorchStepMs,
    [property: JsonPropertyName("step_ratio")] double StepRatio,
    [property: JsonPropertyName("npe_decode_ms")] double NpeDecodeMs,
    [property: JsonPropertyName("pytorch_decode_ms")] double PyTorchDecodeMs,
    [property: JsonPropertyName("decode_ratio")] double DecodeRatio,
    [property: JsonPropertyName("pytorch")] string PyTorchVersion,
    [property: JsonPropertyName("pytorch_blas")] string PyTorchBlas);

/// <summary>
/// The editor's latent step (and a decode) here and in PyTorch on the same decoder and weights, in
/// one run. PyTorch (Peer/pytorch_step.py, Debian's python3-torch with OpenBLAS as its BLAS through its
/// own library path; the system's BLAS choice is left alone) builds the decoder from the model file,
/// checks that G(z) and the step's gradient equal npe's, then times on request: the two sides take
/// turns, <see cref="Rounds"/> rounds of <see cref="Repeats"/> steps each, so a change in the
/// machine's load shows in both; each side's figure is the median of its round medians and the
/// ratio the median of the rounds' ratios. Both use the editor's thread count for one window
/// (<see cref="TorchRuntime.ThreadsForWindows"/>). A benchmark, not a test: CI doesn't run it.
/// </summary>
public static class PeerBenchmark
{
    /// <summary>Where Debian's libopenblas0-pthread puts the libblas.so.3 it provides.</summary>
    const string OpenBlasDirectory = "/usr/lib/x86_64-linux-gnu/openblas-pthread";
    const string DebianPython = "/usr/bin/python3";
    const int Rounds = 10, Repeats = 20;

    public static string Script => Path.Combine(AppContext.BaseDirectory, "peer", "pytorch_step.py");

    public static PeerBenchmarkResult Run(LoadedModel model)
    {
        var network = model.Network;
        int size = network.Config.ImageSize;
        int threads;
        using (TorchRuntime.ThreadsForWindows(1)) threads = get_num_threads();
        using var generator = new Generator(7);
        using var z = randn([1, network.Config.LatentSize], generator: generator).to(model.Device);
        using var target = zeros([1, 3, size, size], device: model.Device);
        string reference = Path.Combine(Path.GetTempPath(), $"npe-peer-{Environment.ProcessId}.safetensors");
        try
        {
            WriteReference(reference, network, z, target);
            using var peer = PyTorchPeer.Start(model.Path, reference, threads);
            var steps = new List<(double Npe, double PyTorch)>();
            var decodes = new List<(double Npe, double PyTorch)>();
            void Decode()
            {
                using var _ = no_grad();
                using var s = NewDisposeScope();
                using var t = TorchRuntime.ThreadsForWindows(1);
                network.Decode(z);
            }
            for (int round = 0; round < Rounds; round++)
            {
                steps.Add((Timing.Median(Repeats, () => EditBenchmark.LatentStep(network, z, target)), peer.Time("step", Repeats)));
                decodes.Add((Timing.Median(Repeats, Decode), peer.Time("decode", Repeats)));
            }
            return new PeerBenchmarkResult(Path.GetFileName(model.Path), threads, Rounds,
                Median(steps.Select(s => s.Npe)), Median(steps.Select(s => s.PyTorch)), Math.Round(Median(steps.Select(s => s.Npe / s.PyTorch)), 3),
                Median(decodes.Select(s => s.Npe)), Median(decodes.Select(s => s.PyTorch)),
                    Math.Round(Median(decodes.Select(s => s.Npe / s.PyTorch)), 3),
                peer.Facts.GetProperty("torch").GetString()!, peer.Facts.GetProperty("blas").GetString()!);
        }
        finally
        {
            File.Delete(reference);
        }
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return Math.Round(sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2, 3);
    }

    /// <summary>z, the target, npe's G(z) and the step loss's gradient toward z: what PyTorch must reproduce.</summary>
    static void WriteReference(string path, IntrospectiveAdversarialNetwork network, Tensor z, Tensor target)
    {
        using var scope = NewDisposeScope();
        var latent = z.detach().requires_grad_(true);
        var output = network.Decode(latent);
        var gradient = autograd.grad([(output - target).Squared().mean()], [latent])[0];
        SafeTensorsFile.Write(path, new Dictionary<string, string>(),
            [("z", z.cpu()), ("target", target.cpu()), ("output", output.detach().cpu()), ("gradient", gradient.cpu())]);
    }

    /// <summary>The PyTorch side, running pytorch_step.py --serve.</summary>
    sealed class PyTorchPeer : IDisposable
    {
        readonly Process _process;

        PyTorchPeer(Process process, JsonElement facts) => (_process, Facts) = (process, facts);

        /// <summary>What the script reports once the network is built and checked.</summary>
        public JsonElement Facts { get; }

        public static PyTorchPeer Start(string modelPath, string reference, int threads)
        {
            // Debian's own interpreter, whose dist-packages hold python3-torch (a python3 earlier on
            // the PATH, e.g. pyenv's, would not see it).
            var start = new ProcessStartInfo(File.Exists(DebianPython) ? DebianPython : "python3")
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                ArgumentList = { Script, "--model", modelPath, "--reference", reference, "--threads", threads.ToString(), "--serve" },
            };
            if (Directory.Exists(OpenBlasDirectory)) start.Environment["LD_LIBRARY_PATH"] = OpenBlasDirectory;
            // The same OpenMP behaviour as npe's (TorchRuntime.PrepareEnvironment).
            start.Environment["OMP_WAIT_POLICY"] = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "PASSIVE";
            Process process;
            try { process = Process.Start(start) ?? throw new UserInputException("python3 could not be started."); }
            catch (System.ComponentModel.Win32Exception) { throw new UserInputException(InstallHint); }
            var stderr = process.StandardError.ReadToEndAsync();
            string? first = process.StandardOutput.ReadLine();
            if (first is null)
            {
                process.WaitForExit();
                string problem = stderr.Result.Trim().Split('\n').LastOrDefault() ?? "";
                process.Dispose();
                throw new UserInputException(problem.Contains("No module named") ? InstallHint : $"The PyTorch peer benchmark failed: {problem}");
            }
            return new PyTorchPeer(process, JsonDocument.Parse(first).RootElement.Clone());
        }

        const string InstallHint = "The PyTorch peer benchmark needs Debian's python3-torch: run " +
            "model/NeuralPhotoEdit.Toolkit/Benchmarks/Peer/install.sh.";

        /// <summary>The median of <paramref name="repeats"/> runs of "step" or "decode" in PyTorch, in ms.</summary>
        public double Time(string action, int repeats)
        {
            _process.StandardInput.WriteLine($"{action} {repeats}");
            _process.StandardInput.Flush();
            string line = _process.StandardOutput.ReadLine() ?? throw new UserInputException("The PyTorch peer benchmark stopped answering.");
            return double.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
        }

        public void Dispose()
        {
            try { _process.StandardInput.WriteLine("quit"); _process.StandardInput.Close(); } catch (IOException) { }
            if (!_process.WaitForExit(5000)) _process.Kill();
            _process.Dispose();
        }
    }
}
