using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace NeuralPhotoEdit.Data;

/// <summary>
/// Fetches the default training photos from Debian packages (see docs: data sources):
/// `apt-get download` the package, unpack it with `dpkg-deb -x`, copy the landscape photos into
/// train/ and heldout/ folders, and record each photo's package, licence (from the package's DEP-5
/// copyright file) and SHA-256. The split is by photo, fixed by a hash of the file name.
/// Idempotent: a folder whose manifest matches its files is left as it is.
/// </summary>
public sealed class DebianPhotoFetcher(Action<string> log, Action<int, int>? progress = null)
{
    public const string Package = "endless-sky-high-dpi";
    const string PhotoFolder = "usr/share/games/endless-sky/plugins/endless-sky-high-dpi/images/land";
    const string SourceTreePrefix = "images/land/";
    /// <summary>About one photo in ten is held out for evaluation.</summary>
    public const int HeldOutOneIn = 10;

    public PhotoManifest Fetch(string outputDirectory)
    {
        var existing = PhotoManifest.TryLoad(outputDirectory);
        if (existing is not null && IsIntact(outputDirectory, existing))
        {
            log($"{existing.Photos.Count} photos already in '{outputDirectory}' (manifest verified).");
            WriteAttribution(outputDirectory, existing);
            return existing;
        }

        string work = Path.Combine(Path.GetTempPath(), $"npe-data-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        try
        {
            log($"Downloading Debian package {Package}…");
            string deb = Download(work);
            string version = Run("dpkg-deb", ["--field", deb, "Version"], work).Trim();
            string unpacked = Path.Combine(work, "root");
            log($"Unpacking {Path.GetFileName(deb)}…");
            Run("dpkg-deb", ["-x", deb, unpacked], work);

            var copyright = new Dep5Copyright(File.ReadAllText(Path.Combine(unpacked, "usr/share/doc", Package, "copyright")));
            var sources = Directory.GetFiles(Path.Combine(unpacked, PhotoFolder), "*.jpg").OrderBy(f => f, StringComparer.Ordinal).ToArray();
            if (sources.Length == 0) throw new InvalidOperationException($"Package {Package} holds no photos in {PhotoFolder}.");

            var records = new List<PhotoRecord>();
            for (int i = 0; i < sources.Length; i++)
            {
                string name = Path.GetFileName(sources[i]);
                string split = IsHeldOut(name) ? "heldout" : "train";
                string relative = Path.Combine(split, name);
                string target = Path.Combine(outputDirectory, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(sources[i], target, overwrite: true);
                var stanza = copyright.Find(SourceTreePrefix + name)
                    ?? throw new InvalidOperationException($"The copyright file of {Package} names no licence for {name}.");
                records.Add(new PhotoRecord(relative.Replace('\\', '/'), split, Package, version,
                    $"/{PhotoFolder}/{name}", stanza.Copyright, stanza.License, Sha256(target)));
                progress?.Invoke(i + 1, sources.Length);
            }
            var manifest = new PhotoManifest(records);
            manifest.Save(outputDirectory);
            WriteAttribution(outputDirectory, manifest);
            log($"{records.Count(r => r.Split == "train")} training and {records.Count(r => r.Split == "heldout")} held-out photos in '{outputDirectory}'.");
            return manifest;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>ATTRIBUTION.md beside the photos: every photo's source and licence (ships with the model).</summary>
    static void WriteAttribution(string directory, PhotoManifest manifest) =>
        File.WriteAllText(Path.Combine(directory, "ATTRIBUTION.md"),
            $"# Photos used by Neural Photo Edit\n\nFrom the Debian package `{Package}`; each photo's copyright and licence are those its " +
            "package's copyright file gives. The `train` photos trained the bundled model; `heldout` photos evaluate it, and the demo " +
            "photo and test fixtures are public-domain `heldout` photos.\n\n" + manifest.ToAttributionMarkdown());

    /// <summary>Held out when a stable hash of the file name falls in one bucket of ten.</summary>
    public static bool IsHeldOut(string fileName) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(fileName))[0] % HeldOutOneIn == 0;

    static bool IsIntact(string directory, PhotoManifest manifest) =>
        manifest.Photos.Count > 0 && manifest.Photos.All(p =>
        {
            string path = Path.Combine(directory, p.File);
            return File.Exists(path) && Sha256(path) == p.Sha256;
        });

    static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    string Download(string work)
    {
        try { Run("apt-get", ["download", Package], work); }
        catch (InvalidOperationException)
        {
            // The package lists may be missing on a fresh machine; refresh them once and retry.
            log("Refreshing the package lists (apt-get update)…");
            Run("apt-get", ["update", "-qq"], work);
            Run("apt-get", ["download", Package], work);
        }
        return Directory.GetFiles(work, $"{Package}_*.deb").Single();
    }

    static string Run(string program, string[] arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"'{program}' is not available: fetching the training photos needs a Debian or Ubuntu system with apt.");
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {error.Result.Trim()}");
            return output.Result;
        }
    }
}
