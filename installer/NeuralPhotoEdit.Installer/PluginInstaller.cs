using System.Text.Json;

namespace NeuralPhotoEdit.Installer;

/// <summary>
/// Installs, upgrades and uninstalls the plugin folder in an Effects folder, atomically: files are
/// copied to a staging folder first; only a complete copy replaces the installed one, with a
/// rename, and the previous install is kept until the new one is in place. A manifest of installed
/// files makes uninstalling remove exactly what was installed.
/// </summary>
public sealed class PluginInstaller(Action<string> log, Func<bool> isPaintDotNetRunning, Action<string, string>? copyFile = null)
{
    public const string FolderName = "NeuralPhotoEdit";
    public const string ManifestName = "install-manifest.json";
    readonly Action<string, string> _copy = copyFile ?? ((from, to) => File.Copy(from, to, overwrite: false));

    public string Install(string sourceFolder, string effectsFolder)
    {
        RefuseWhileRunning();
        if (!File.Exists(Path.Combine(sourceFolder, "NeuralPhotoEdit.Plugin.dll")))
            throw new InstallerException($"'{sourceFolder}' does not hold the plugin (NeuralPhotoEdit.Plugin.dll is missing).");
        Directory.CreateDirectory(effectsFolder);
        string target = Path.Combine(effectsFolder, FolderName);
        string staging = Path.Combine(effectsFolder, $".{FolderName}.staging");
        string previous = Path.Combine(effectsFolder, $".{FolderName}.previous");
        // Read (and, if damaged, refused) before anything is copied.
        var installed = (ReadManifest(target) ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase);
        DeleteIfExists(staging);
        DeleteIfExists(previous);

        var files = Directory.GetFiles(sourceFolder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(sourceFolder, f)).Order(StringComparer.Ordinal).ToList();
        try
        {
            foreach (var relative in files)
            {
                string destination = Path.Combine(staging, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                _copy(Path.Combine(sourceFolder, relative), destination);
            }
            var keptModels = CarryOver(target, staging, files, installed);
            File.WriteAllText(Path.Combine(staging, ManifestName), JsonSerializer.Serialize(files.Concat(keptModels).Append(ManifestName)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DeleteIfExists(staging);
            throw new InstallerException($"Copying the plugin failed ({e.Message}); the previous installation, if any, is unchanged.");
        }

        bool upgrading = Directory.Exists(target);
        if (upgrading) Directory.Move(target, previous);
        try
        {
            Directory.Move(staging, target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (upgrading) Directory.Move(previous, target);
            DeleteIfExists(staging);
            throw new InstallerException($"Could not put the new version in place ({e.Message}); the previous installation is unchanged.");
        }
        DeleteIfExists(previous);
        log($"{(upgrading ? "Upgraded" : "Installed")} Neural Photo Edit in {target} ({files.Count} files). Restart Paint.NET to use it: Effects ▸ " +
            $"Photo ▸ Neural Photo Edit.");
        return target;
    }

    /// <summary>
    /// What an upgrade keeps from the installation it replaces, copied into <paramref name="staging"/>:
    /// files the user added (not in the old manifest; they stay out of the new one, so uninstalling
    /// leaves them as it always does), and model files an earlier version installed that this one
    /// doesn't ship, so a model someone edited with stays in the dialog's list. Returns the latter,
    /// which the new manifest lists. Everything else of the old version goes.
    /// </summary>
    List<string> CarryOver(string target, string staging, IReadOnlyCollection<string> newFiles, IReadOnlySet<string> installed)
    {
        var keptModels = new List<string>();
        if (!Directory.Exists(target)) return keptModels;
        var shipped = newFiles.ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var relative in Directory.GetFiles(target, "*", SearchOption.AllDirectories).Select(f =>
            Path.GetRelativePath(target, f)).Order(StringComparer.Ordinal))
        {
            if (shipped.Contains(relative) || relative.Equals(ManifestName, StringComparison.OrdinalIgnoreCase)) continue;
            bool ours = installed.Contains(relative);
            bool model = relative.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);
            if (ours && !model) continue;
            string destination = Path.Combine(staging, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            _copy(Path.Combine(target, relative), destination);
            if (ours) keptModels.Add(relative);
            log($"Kept {relative} from the installation this replaces ({(ours ? "a model an earlier version shipped" : "a file you added")}).");
        }
        return keptModels;
    }

    public void Uninstall(string effectsFolder)
    {
        RefuseWhileRunning();
        string target = Path.Combine(effectsFolder, FolderName);
        var files = ReadManifest(target) ?? throw new InstallerException($"Neural Photo Edit is not installed in {effectsFolder} (no " +
            $"{ManifestName}).");
        foreach (var relative in files)
        {
            string path = Path.GetFullPath(Path.Combine(target, relative));
            // Only files inside the plugin folder: a tampered manifest can't make us delete anything else.
            if (path.StartsWith(Path.GetFullPath(target) + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(path))
                File.Delete(path);
        }
        foreach (var directory in Directory.GetDirectories(target, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
            if (!Directory.EnumerateFileSystemEntries(directory).Any()) Directory.Delete(directory);
        if (!Directory.EnumerateFileSystemEntries(target).Any()) Directory.Delete(target);
        log($"Removed Neural Photo Edit from {target}." + (Directory.Exists(target) ? " Files you added there were left in place." : ""));
    }

    /// <summary>The files an installation in <paramref name="folder"/> put there, or null when it has no
    /// manifest. A damaged manifest stops the installer with a one-line message rather than guessing
    /// which files are the user's.</summary>
    static string[]? ReadManifest(string folder)
    {
        string manifest = Path.Combine(folder, ManifestName);
        if (!File.Exists(manifest)) return null;
        try
        {
            return JsonSerializer.Deserialize<string[]>(File.ReadAllText(manifest)) ?? [];
        }
        catch (JsonException)
        {
            throw new InstallerException($"The list of installed files, {manifest}, is damaged. Copy any models you added from {folder}, delete " +
                $"that folder, then run the installer again.");
        }
    }

    void RefuseWhileRunning()
    {
        if (isPaintDotNetRunning())
            throw new InstallerException("Paint.NET is running. Close it (and save your work) first, then run the installer again.");
    }

    static void DeleteIfExists(string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
