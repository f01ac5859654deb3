namespace NeuralPhotoEdit.Tests;

/// <summary>A write killed half-way leaves its temporary behind; the next write of the same file
/// removes it, and never a temporary of a process that is still running.</summary>
public class AtomicFileTests
{
    [Fact]
    public void TheNextWriteRemovesTemporariesOfProcessesThatAreGone()
    {
        using var temp = TestSupport.TempDirectory();
        string target = temp.File("checkpoint.safetensors");
        int gone = FindUnusedProcessId();
        string orphan = temp.File($".checkpoint.safetensors.{gone}.tmp");
        // A temporary of another process that is running: kept (the liveness check, not the name, decides).
        int running = RunningProcessOtherThanThis();
        string live = temp.File($".checkpoint.safetensors.{running}.tmp");
        string own = temp.File($".checkpoint.safetensors.{Environment.ProcessId}.tmp.keep");
        string notOurs = temp.File($".checkpoint.safetensors.{gone}.other.tmp");
        string stranger = temp.File($".other.safetensors.{gone}.tmp");
        foreach (var file in new[] { orphan, live, own, notOurs, stranger }) File.WriteAllBytes(file, new byte[1024]);

        AtomicFile.Write(target, stream => stream.Write([1, 2, 3]));

        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(target));
        Assert.False(File.Exists(orphan), "the dead process's temporary must be removed");
        Assert.True(File.Exists(live), "a running process's temporary must be kept");
        Assert.True(File.Exists(notOurs), "a name that is not PID.tmp is not ours to delete");
        Assert.True(File.Exists(stranger), "another file's temporaries are left alone");
        Assert.Equal(5, Directory.GetFiles(temp.Path).Length);
    }

    static int RunningProcessOtherThanThis()
    {
        foreach (var process in System.Diagnostics.Process.GetProcesses())
            using (process)
                if (process.Id != Environment.ProcessId && process.Id > 0) return process.Id;
        throw new InvalidOperationException("no other process is running");
    }

    static int FindUnusedProcessId()
    {
        for (int id = 4_000_000; ; id--)
        {
            try { using var p = System.Diagnostics.Process.GetProcessById(id); }
            catch (ArgumentException) { return id; }
        }
    }
}
