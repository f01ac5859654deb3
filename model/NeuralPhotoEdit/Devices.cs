using static TorchSharp.torch;

namespace NeuralPhotoEdit;

/// <summary>Choosing where tensors live. Every front end passes a device; nothing assumes CPU.</summary>
public static class Devices
{
    public static readonly string[] Choices = ["auto", "cpu", "cuda"];

    /// <summary>"auto" picks CUDA when TorchSharp's CUDA runtime is installed and a GPU is present.</summary>
    public static Device Resolve(string choice)
    {
        TorchRuntime.EnsureInitialised();
        return choice.ToLowerInvariant() switch
        {
            "auto" => cuda.is_available() ? CUDA : CPU,
            "cpu" => CPU,
            "cuda" or "gpu" => cuda.is_available()
                ? CUDA
                : throw new InvalidOperationException("CUDA was requested but no CUDA device is available (this build has TorchSharp's CPU " +
                    "runtime; install TorchSharp-cuda to use a GPU)."),
            _ => throw new ArgumentException($"Unknown device '{choice}'. Use auto, cpu or cuda."),
        };
    }
}
