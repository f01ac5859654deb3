using System.Runtime.InteropServices;

namespace NeuralPhotoEdit.Training;

/// <summary>
/// Keeps glibc's allocator from handing libtorch's large activation buffers back to the kernel after
/// every training step. Why: glibc serves big allocations with fresh mmap'd pages and trims freed
/// memory eagerly, so each step page-faults its ~1 GB of activations in again. Measured with
/// <c>npe bench train</c> (ian-cpu, batch 64): 983 ms per step with glibc's defaults, 738 ms with
/// these settings — the speed a long run otherwise reaches only after glibc's dynamic threshold has
/// adapted (a real run went from ~0.95 s per step in its first 200 steps to 0.73 s).
/// Only for training and its benchmark, whose memory is reused every step; Linux with glibc only;
/// a no-op elsewhere.
/// </summary>
static class NativeHeap
{
    const int TrimThreshold = -1, TopPad = -2, MmapThreshold = -3; // glibc's M_* parameter numbers

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int MallOpt(int parameter, int value);

    public static void KeepMemoryBetweenSteps()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            MallOpt(MmapThreshold, 32 << 20);  // glibc's maximum; larger buffers still use mmap
            MallOpt(TrimThreshold, 1 << 30);
            MallOpt(TopPad, 64 << 20);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): nothing to tune, training is just slower.
        }
    }
}
