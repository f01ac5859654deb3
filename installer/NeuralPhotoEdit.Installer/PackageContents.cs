using System.Text.Json;

namespace NeuralPhotoEdit.Installer;

/// <summary>
/// What the plugin package must contain, read from NuGet's own record of the plugin's win-x64
/// runtime assets (obj/project.assets.json) rather than from a hand-written list, and checks a
/// staged package against it: every native library of TorchSharp, libtorch and SkiaSharp present,
/// every file the plugin's .deps.json names present (the runtime trusts that list), no Paint.NET
/// assembly and no training toolkit present.
/// </summary>
public static class PackageContents
{
    public const string Target = "net9.0/win-x64";
    static readonly string[] NativePackages = ["TorchSharp", "libtorch", "SkiaSharp"];
    const string ToolkitAssembly = "NeuralPhotoEdit.Toolkit";

    /// <summary>The file names of every runtime, native and resource asset a .deps.json lists (a
    /// flat plugin folder: names only).</summary>
    public static IReadOnlyList<string> FilesNamedByDepsJson(string depsJsonPath)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(depsJsonPath));
        var files = new List<string>();
        if (!document.RootElement.TryGetProperty("targets", out var targets)) return files;
        foreach (var target in targets.EnumerateObject())
            foreach (var library in target.Value.EnumerateObject())
                foreach (var kind in new[] { "runtime", "native" })
                    if (library.Value.TryGetProperty(kind, out var assets))
                        files.AddRange(assets.EnumerateObject().Select(a => Path.GetFileName(a.Name)));
        return files.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>File names of the native libraries the win-x64 runtime assets name.</summary>
    public static IReadOnlyList<string> RequiredNativeFiles(string assetsJsonPath)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(assetsJsonPath));
        if (!document.RootElement.GetProperty("targets").TryGetProperty(Target, out var target))
            throw new InstallerException($"{assetsJsonPath} has no '{Target}' target: restore the plugin with its win-x64 runtime identifier.");
        var files = new List<string>();
        foreach (var package in target.EnumerateObject())
        {
            string id = package.Name.Split('/')[0];
            if (!NativePackages.Any(p => id.StartsWith(p, StringComparison.OrdinalIgnoreCase))) continue;
            if (!package.Value.TryGetProperty("native", out var native)) continue;
            foreach (var asset in native.EnumerateObject())
            {
                string name = Path.GetFileName(asset.Name);
                if (name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) files.Add(name);
            }
        }
        return files.Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Problems with a staged plugin folder; empty when it is complete and clean.</summary>
    public static IReadOnlyList<string> Check(string pluginFolder, IEnumerable<string> requiredNativeFiles)
    {
        var present = Directory.GetFiles(pluginFolder).Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var problems = requiredNativeFiles.Where(f => !present.Contains(f)).Select(f => $"missing native library {f}").ToList();
        problems.AddRange(present.Where(f => f.StartsWith("PaintDotNet.", StringComparison.OrdinalIgnoreCase)).Select(f =>
            $"contains Paint.NET's {f}, which must never be shipped"));
        // The build's compile-only stand-in for Windows Forms would shadow the real one .NET ships.
        if (present.Contains("System.Windows.Forms.dll")) problems.Add("contains System.Windows.Forms.dll, which must never be shipped: " +
            "Paint.NET's .NET has it");
        problems.AddRange(present.Where(f => f.StartsWith(ToolkitAssembly, StringComparison.OrdinalIgnoreCase)).Select(f =>
            $"contains the training toolkit ({f}), which the plugin does not use"));
        string depsJson = Path.Combine(pluginFolder, "NeuralPhotoEdit.Plugin.deps.json");
        if (File.Exists(depsJson))
            problems.AddRange(FilesNamedByDepsJson(depsJson).Where(f => !present.Contains(f)).Select(f =>
                $"NeuralPhotoEdit.Plugin.deps.json names {f}, which is not in the package"));
        foreach (var needed in new[] { "NeuralPhotoEdit.Plugin.dll", "NeuralPhotoEdit.Plugin.deps.json", "TorchSharp.dll", "SkiaSharp.dll" })
            if (!present.Contains(needed)) problems.Add($"missing {needed}");
        if (!Directory.Exists(Path.Combine(pluginFolder, "models"))
            || !Directory.GetFiles(Path.Combine(pluginFolder, "models"), "*.safetensors").Any())
            problems.Add("missing the default model (models/*.safetensors)");
        return problems;
    }
}
