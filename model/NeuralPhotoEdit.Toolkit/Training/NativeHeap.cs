using System.Runtime.InteropServices;

namespace NeuralPhotoEdit.Training;

/// <summary>
/// Keeps glibc's allocator from handing libtorch's large activation buffers back to the kernel after
/// every training step. Why: glibc serves big allocations with fresh mmap'd pages and trims freed
/// memory eagerly, so each step page-faults its activations in again. With these settings a step runs
/// from the start at the speed a long run otherwise reaches only after glibc's dynamic threshold has
/// adapted (measured with <c>npe bench train</c>: docs/speed.md).
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
