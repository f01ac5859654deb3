using System.Runtime.InteropServices;

namespace NeuralPhotoEdit.Studio;

/// <summary>
/// Gives the native memory a closed page freed back to the system. libtorch frees its tensors to the C
/// allocator, and glibc's keeps freed memory in per-thread arenas for reuse: the tensors of a closed page
/// are freed, yet the process stays as large as it was at its busiest (docs/studio.md, "Memory", has the
/// measurement). <c>malloc_trim</c> returns those free pages. Linux with glibc only; elsewhere (and with
/// another C library) it does nothing.
/// </summary>
static partial class NativeMemory
{
    [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    static bool _unavailable = !OperatingSystem.IsLinux();

    public static void ReturnFreedMemory()
    {
        if (_unavailable) return;
        try { MallocTrim(0); }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { _unavailable = true; }
    }
}
