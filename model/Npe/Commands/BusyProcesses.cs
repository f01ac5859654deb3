using System.Diagnostics;

namespace NeuralPhotoEdit.Cli.Commands;

/// <summary>
/// CPU-bound processes running beside a benchmark, to measure the editor on a busy PC (Paint.NET
/// renders on every core while an effect runs). Each is this program's hidden `bench busy` command,
/// which spins until it is killed; disposing kills them all.
/// </summary>
sealed class BusyProcesses : IDisposable
{
    readonly List<Process> _processes = [];

    public BusyProcesses(int count)
    {
        for (int i = 0; i < count; i++)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
            // Run as `dotnet npe.dll`: the entry assembly comes first; as an apphost it is the process itself.
            string entry = Environment.GetCommandLineArgs()[0];
            if (entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) start.ArgumentList.Add(entry);
            start.ArgumentList.Add("bench");
            start.ArgumentList.Add("busy");
            _processes.Add(Process.Start(start)!);
        }
        // Let them start spinning before anything is timed.
        Thread.Sleep(count > 0 ? 1000 : 0);
    }

    /// <summary>What each busy process runs: an endless integer loop, one thread.</summary>
    public static void Spin()
    {
        ulong x = 1;
        while (true) x = x * 6364136223846793005UL + 1442695040888963407UL;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try { process.Kill(); process.WaitForExit(); } catch (InvalidOperationException) { }
            process.Dispose();
        }
    }
}
