using System.Diagnostics;
using System.Globalization;

namespace NeuralPhotoEdit;

/// <summary>
/// Writes files so that a crash, a kill or a full disk never leaves a half-written file in the
/// target's place: the bytes go to a hidden temporary beside the target (".name.PID.tmp"), are
/// flushed, and the temporary is renamed over the target. A process killed mid-write leaves its
/// temporary behind; the next write of the same target removes temporaries whose process is gone.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        RemoveOrphans(full);
        string temporary = TemporaryFor(full, Environment.ProcessId);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    static string TemporaryFor(string full, int processId) =>
        Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{processId}.tmp");

    /// <summary>Deletes the temporaries of <paramref name="path"/> left by processes that no longer run.</summary>
    static void RemoveOrphans(string path)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory)) return;
        string prefix = $".{Path.GetFileName(full)}.";
        foreach (var candidate in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
        {
            string middle = Path.GetFileName(candidate)[prefix.Length..^".tmp".Length];
            if (!int.TryParse(middle, NumberStyles.None, CultureInfo.InvariantCulture, out int processId)) continue;
            if (processId == Environment.ProcessId || IsRunning(processId)) continue;
            try { File.Delete(candidate); }
            catch (IOException) { }   // another process got there first
            catch (UnauthorizedAccessException) { }
        }
    }

    static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
