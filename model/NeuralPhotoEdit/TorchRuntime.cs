using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit;

/// <summary>One-time libtorch set-up shared by every front end.</summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static bool _initialised;

    /// <summary>Loads libtorch, uses every core for intra-op parallelism and checks that its
    /// convolutions are right on this CPU (<see cref="OneDnnGuard"/>). Turns a native load failure
    /// into a message that says what to do.</summary>
    public static void EnsureInitialised()
    {
        lock (Gate)
        {
            if (_initialised) return;
            try
            {
                InitializeDeviceType(DeviceType.CPU);
                set_num_threads(Environment.ProcessorCount);
                OneDnnGuard.Apply();
            }
            catch (InvalidOperationException) { throw; }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidOperationException(
                    "Could not load libtorch (TorchSharp's native runtime). On Linux, build with `dotnet build` so the " +
                    "libstdc++ compatibility fix is applied (see README). Details: " + e.Message, e);
            }
            _initialised = true;
        }
    }
}
