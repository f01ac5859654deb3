using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit;

/// <summary>One-time libtorch set-up shared by every front end.</summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static bool _initialised;

    /// <summary>
    /// For processes that train: call before anything touches libtorch. Limits oneDNN to AVX2 unless
    /// ONEDNN_MAX_CPU_ISA is already set. Why: on the Zen 5 CPU this project trains on, oneDNN's
    /// AVX-512 float32 convolutions are wrong (<see cref="OneDnnGuard"/>), which switches oneDNN off, and
    /// without it a training step is several times slower; with AVX2 the convolutions the networks use
    /// are right (measured with `npe bench train`: docs/speed.md, "Training on that CPU"). On a CPU whose AVX-512 kernels are right this
    /// costs some speed; set ONEDNN_MAX_CPU_ISA=ALL there. Editing keeps the default: at batch 1 it is
    /// as fast without oneDNN.
    /// </summary>
    public static void PrepareForTraining()
    {
        lock (Gate)
        {
            if (!_initialised) OneDnnGuard.LimitInstructionSet("AVX2");
        }
        EnsureInitialised();
    }

    /// <summary>
    /// Sets what native libraries read once, when they load: OpenMP's idle threads sleep instead of
    /// spinning (OMP_WAIT_POLICY=PASSIVE). Front ends call it first thing, before anything touches
    /// TorchSharp (which loads libtorch and with it OpenMP); <see cref="EnsureInitialised"/> calls it
    /// too. Why: a plugin runs beside Paint.NET's own rendering on every core, and spinning threads
    /// then fight the busy cores for nothing. Measured with `npe bench edit --json --background 4`
    /// (four busy processes on the 2-core machine), in one run: spinning, step_ms 15 → 88 (×5.9) and
    /// edit_12mp_ms 696 → 5 012 (×7.2) against quiet; sleeping, 12.1 → 34.6 (×2.9) and 660 → 1 544
    /// (×2.3) — measured before the editor moved to one thread per two windows
    /// (<see cref="ThreadsForWindows"/>). Set OMP_WAIT_POLICY yourself to override; NPE_THREADS sets
    /// the thread count.
    /// </summary>
    public static void PrepareEnvironment() => NativeEnvironment.SetIfUnset("OMP_WAIT_POLICY", "PASSIVE");

    /// <summary>NPE_THREADS when set to a positive number: libtorch's intra-op threads for everything.</summary>
    static int? ThreadsOverride =>
        int.TryParse(Environment.GetEnvironmentVariable("NPE_THREADS"), out int threads) && threads > 0 ? threads : null;

    /// <summary>libtorch's intra-op threads: NPE_THREADS, else every core.</summary>
    static int Threads => ThreadsOverride ?? Environment.ProcessorCount;

    /// <summary>
    /// libtorch's intra-op threads while the editor works on <paramref name="windows"/> windows at the
    /// model's resolution (restored when disposed): one thread per two windows, at most every core;
    /// NPE_THREADS overrides it. Why: one window's layers are tiny (a few channels at 64 px), and
    /// waking a second OpenMP thread for each costs more than it shares (the latent step, one thread
    /// against two: docs/speed.md); and one thread is what keeps
    /// a busy PC's cost proportional. Many windows (a stroke across a wide photo) still share the cores.
    /// Not thread-safe against other libtorch work in the process running at the same time (the count
    /// is the process's): front ends run one edit at a time.
    /// </summary>
    public static IDisposable ThreadsForWindows(int windows)
    {
        int previous = get_num_threads();
        int wanted = ThreadsOverride ?? Math.Clamp(windows / 2, 1, Environment.ProcessorCount);
        if (wanted == previous) return NoChange.Instance;
        set_num_threads(wanted);
        return new RestoreThreads(previous);
    }

    sealed class NoChange : IDisposable
    {
        public static readonly NoChange Instance = new();
        public void Dispose() { }
    }

    sealed class RestoreThreads(int count) : IDisposable
    {
        public void Dispose() => set_num_threads(count);
    }

    /// <summary>Loads libtorch, uses every core for intra-op parallelism and checks that its
    /// convolutions are right on this CPU (<see cref="OneDnnGuard"/>). Turns a native load failure
    /// into a message that says what to do.</summary>
    public static void EnsureInitialised()
    {
        lock (Gate)
        {
            if (_initialised) return;
            // An old or missing Visual C++ runtime crashes libtorch as it loads (no exception to catch).
            if (VisualCppRuntime.ProblemOnThisMachine() is string missing) throw new InvalidOperationException(missing);
            try
            {
                PrepareEnvironment();
                InitializeDeviceType(DeviceType.CPU);
                set_num_threads(Threads);
                OneDnnGuard.Apply();
            }
            catch (InvalidOperationException) { throw; }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidOperationException(
                    "Could not load libtorch (TorchSharp's native runtime). On Linux, build with `dotnet build` so the " +
                    "libstdc++ compatibility fix is applied (see docs/building.md). Details: " + e.Message, e);
            }
            _initialised = true;
        }
    }
}
