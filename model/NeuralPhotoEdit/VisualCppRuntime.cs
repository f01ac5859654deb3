using System.Diagnostics;

namespace NeuralPhotoEdit;

/// <summary>
/// The Microsoft Visual C++ 2015–2022 runtime (x64) that libtorch's Windows DLLs import
/// (torch_cpu.dll and c10.dll need msvcp140.dll 14.40 or newer: an older one has another mutex layout
/// and crashes c10.dll as it loads — pytorch/pytorch#169429 — which would take Paint.NET down with
/// it). Checked before libtorch loads, by the engine and by the installer; this one source file is
/// compiled into both.
/// </summary>
public static class VisualCppRuntime
{
    public static readonly Version Minimum = new(14, 40);
    public const string Download = "https://aka.ms/vs/17/release/vc_redist.x64.exe";

    /// <summary>The version of msvcp140.dll in the Windows system folder — the one libtorch's DLLs
    /// load — or null when it is missing or its version can't be read.</summary>
    public static Version? Installed()
    {
        string path = Path.Combine(Environment.SystemDirectory, "msvcp140.dll");
        if (!File.Exists(path)) return null;
        var info = FileVersionInfo.GetVersionInfo(path);
        return info.FileMajorPart == 0 ? null : new Version(info.FileMajorPart, info.FileMinorPart, info.FileBuildPart);
    }

    /// <summary>What is wrong with <paramref name="installed"/> (null = not installed), in one line
    /// that says what to install; null when it will do.</summary>
    public static string? Problem(Version? installed) =>
        installed is null
            ? $"The Microsoft Visual C++ 2015–2022 runtime (x64) is not installed; Neural Photo Edit needs {Minimum} or newer. Install it from {Download} and try again."
            : installed < Minimum
                ? $"The Microsoft Visual C++ runtime on this PC is {installed}, older than the {Minimum} Neural Photo Edit needs. Install the current one from {Download} and try again."
                : null;

    /// <summary>The problem on this machine: only Windows loads libtorch's DLLs against it.</summary>
    public static string? ProblemOnThisMachine() => OperatingSystem.IsWindows() ? Problem(Installed()) : null;
}
