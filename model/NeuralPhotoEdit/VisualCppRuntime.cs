using System.Diagnostics;
using System.Runtime.InteropServices;

namespace NeuralPhotoEdit;

/// <summary>
/// The Microsoft Visual C++ 2015–2022 runtime (x64) that libtorch's Windows DLLs import
/// (torch_cpu.dll and c10.dll need msvcp140.dll 14.40 or newer: an older one has another mutex layout
/// and crashes c10.dll as it loads — pytorch/pytorch#169429 — which would take Paint.NET down with
/// it). Checked before libtorch loads, by the engine and by the installer; this one source file is
/// compiled into both.
/// <para>Which copy libtorch binds to is not always the system's: a DLL of the same name already loaded
/// in the process is reused (Paint.NET loads its own copy from its install folder), and the application's
/// folder is searched before the system folder. So each DLL is checked where Windows would take it from:
/// the copy already loaded, else the application's folder, else the system folder.</para>
/// </summary>
public static class VisualCppRuntime
{
    public static readonly Version Minimum = new(14, 40);
    public const string Download = "https://aka.ms/vs/17/release/vc_redist.x64.exe";

    /// <summary>The runtime's DLLs libtorch imports.</summary>
    public static readonly IReadOnlyList<string> Dlls = ["msvcp140.dll", "vcruntime140.dll"];

    /// <summary>Where a process would find the runtime's DLLs (a seam: tests give their own).</summary>
    public interface ISource
    {
        /// <summary>The file of <paramref name="dll"/> when it is already loaded in the process, else null.</summary>
        string? LoadedFile(string dll);
        /// <summary>The application's folder (Paint.NET's install folder), searched before the system's; null if unknown.</summary>
        string? ApplicationFolder { get; }
        string SystemFolder { get; }
        bool Exists(string path);
        /// <summary>The file's version, or null when it has none that can be read.</summary>
        Version? FileVersion(string path);
    }

    /// <summary>Where Windows takes a DLL from for a process, and the file's version.</summary>
    public sealed record Copy(string Dll, string Path, Version? Version, CopyPlace Place);

    public enum CopyPlace { Loaded, ApplicationFolder, SystemFolder }

    /// <summary>The copy of <paramref name="dll"/> libtorch would bind to, or null when there is none.</summary>
    public static Copy? Find(ISource source, string dll)
    {
        if (source.LoadedFile(dll) is string loaded) return new Copy(dll, loaded, source.FileVersion(loaded), CopyPlace.Loaded);
        if (source.ApplicationFolder is string folder && Path.Combine(folder, dll) is var local && source.Exists(local))
            return new Copy(dll, local, source.FileVersion(local), CopyPlace.ApplicationFolder);
        string system = Path.Combine(source.SystemFolder, dll);
        return source.Exists(system) ? new Copy(dll, system, source.FileVersion(system), CopyPlace.SystemFolder) : null;
    }

    /// <summary>What is wrong with the runtime <paramref name="source"/> gives, in one line that names the
    /// version found, where, and what to install; null when every DLL will do.</summary>
    public static string? Problem(ISource source)
    {
        foreach (string dll in Dlls)
        {
            var copy = Find(source, dll);
            if (copy is null) return Problem((Version?)null);
            if (copy.Version is not null && copy.Version >= Minimum) continue;
            string found = copy.Version is null ? "a version that can't be read" : copy.Version.ToString();
            string advice = copy.Place == CopyPlace.SystemFolder
                ? $"Install the current one from {Download} and try again."
                : $"That copy comes with the program (Paint.NET) in its own folder, ahead of the system's: update Paint.NET, and install the " +
                    $"current runtime from {Download}, then restart it.";
            string where = copy.Place == CopyPlace.Loaded ? "already loaded from" : "in";
            return $"The Microsoft Visual C++ runtime's {dll} is {found} ({where} {copy.Path}), older than the {Minimum} Neural Photo Edit needs. " +
                $"{advice}";
        }
        return null;
    }

    /// <summary>What is wrong with <paramref name="installed"/> (null = not installed), in one line
    /// that says what to install; null when it will do.</summary>
    public static string? Problem(Version? installed) =>
        installed is null
            ? $"The Microsoft Visual C++ 2015–2022 runtime (x64) is not installed; Neural Photo Edit needs {Minimum} or newer. Install it from " +
                $"{Download} and try again."
            : installed < Minimum
                ? $"The Microsoft Visual C++ runtime on this PC is {installed}, older than the {Minimum} Neural Photo Edit needs. Install the " +
                    $"current one from {Download} and try again."
                : null;

    /// <summary>The problem in this process (the engine, inside Paint.NET): only Windows loads libtorch's DLLs against it.</summary>
    public static string? ProblemOnThisMachine() =>
        OperatingSystem.IsWindows() ? Problem(new WindowsSource(Path.GetDirectoryName(Environment.ProcessPath), inThisProcess: true)) : null;

    /// <summary>The problem Paint.NET installed in <paramref name="paintDotNetFolder"/> would meet (the
    /// installer: its own process loads nothing of Paint.NET's); null off Windows.</summary>
    public static string? ProblemForApplication(string? paintDotNetFolder) =>
        OperatingSystem.IsWindows() ? Problem(new WindowsSource(paintDotNetFolder, inThisProcess: false)) : null;

    /// <summary>The files and modules of this Windows machine.</summary>
    sealed class WindowsSource(string? applicationFolder, bool inThisProcess) : ISource
    {
        public string? ApplicationFolder => applicationFolder;
        public string SystemFolder => Environment.SystemDirectory;
        public bool Exists(string path) => File.Exists(path);

        public Version? FileVersion(string path)
        {
            var info = FileVersionInfo.GetVersionInfo(path);
            return info.FileMajorPart == 0 ? null : new Version(info.FileMajorPart, info.FileMinorPart, info.FileBuildPart);
        }

        public string? LoadedFile(string dll)
        {
            if (!inThisProcess) return null;
            var module = GetModuleHandleW(dll);
            if (module == IntPtr.Zero) return null;
            var buffer = new char[32768];
            uint length = GetModuleFileNameW(module, buffer, (uint)buffer.Length);
            return length == 0 ? null : new string(buffer, 0, (int)length);
        }

        [DllImport("kernel32", CharSet = CharSet.Unicode, ExactSpelling = true)]
        static extern IntPtr GetModuleHandleW(string moduleName);

        [DllImport("kernel32", CharSet = CharSet.Unicode, ExactSpelling = true)]
        static extern uint GetModuleFileNameW(IntPtr module, char[] fileName, uint size);
    }
}
