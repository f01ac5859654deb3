using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace NeuralPhotoEdit.Data;

/// <summary>
/// Where a set of photos comes from: a Debian package, the folder its photos are installed in, the
/// same folder's path in the package's source tree (for the DEP-5 copyright lookup), and which files
/// to take (null = every JPEG and PNG).
/// </summary>
public sealed record PhotoSource(string Package, string Folder, string SourceTreePrefix, IReadOnlyList<string>? Files = null)
{
    /// <summary>The training photos: every landscape photo of Endless Sky's high-DPI package.</summary>
    public static readonly PhotoSource[] Training =
        [new("endless-sky-high-dpi", "usr/share/games/endless-sky/plugins/endless-sky-high-dpi/images/land", "images/land/")];

    /// <summary>Natural photos from packages the model never trained on (see docs/natural-edits.md,
    /// "Measuring natural edits"): scikit-image's test photos and the photographs among UKUI's wallpapers.</summary>
    public static readonly PhotoSource[] OutOfSource =
    [
        new("python3-skimage", "usr/lib/python3/dist-packages/skimage/data", "skimage/data/",
            ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png", "rocket.jpg"]),
        new("ukui-wallpapers", "usr/share/backgrounds", "", ["calla.png", "goldfish.png", "the-mouse.jpg"]),
    ];
}

/// <summary>
/// Fetches photos from Debian packages (see docs: data sources): `apt-get download` each package,
/// unpack it with `dpkg-deb -x`, copy the photos, and record each photo's package, licence (from the
/// package's DEP-5 copyright file) and SHA-256 in a manifest. With <paramref name="split"/> the
/// photos go into train/ and heldout/ folders, by photo, fixed by a hash of the file name; without,
/// all into the folder itself. Idempotent: a folder whose manifest matches its files is left as it is.
/// </summary>
public sealed class DebianPhotoFetcher(Action<string> log, Action<int, int>? progress = null)
{
    /// <summary>About one photo in ten is held out for evaluation.</summary>
    public const int HeldOutOneIn = 10;
    /// <summary>The split recorded for photos that are only for evaluation.</summary>
    public const string OutOfSourceSplit = "out-of-source";

    public PhotoManifest Fetch(string outputDirectory, IReadOnlyList<PhotoSource> sources, bool split)
    {
        var existing = PhotoManifest.TryLoad(outputDirectory);
        if (existing is not null && IsIntact(outputDirectory, existing))
        {
            log($"{existing.Photos.Count} photos already in '{outputDirectory}' (manifest verified).");
            WriteAttribution(outputDirectory, existing, split);
            return existing;
        }

        string work = Path.Combine(Path.GetTempPath(), $"npe-data-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        try
        {
            var records = new List<PhotoRecord>();
            foreach (var source in sources) records.AddRange(FetchPackage(source, outputDirectory, work, split));
            var manifest = new PhotoManifest(records);
            manifest.Save(outputDirectory);
            WriteAttribution(outputDirectory, manifest, split);
            log(split
                ? $"{records.Count(r => r.Split == "train")} training and {records.Count(r => r.Split == "heldout")} held-out photos in " +
                    $"'{outputDirectory}'."
                : $"{records.Count} photos in '{outputDirectory}'.");
            return manifest;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    List<PhotoRecord> FetchPackage(PhotoSource source, string outputDirectory, string work, bool split)
    {
        log($"Downloading Debian package {source.Package}…");
        string deb = Download(source.Package, work);
        string version = Run("dpkg-deb", ["--field", deb, "Version"], work).Trim();
        string unpacked = Path.Combine(work, source.Package);
        log($"Unpacking {Path.GetFileName(deb)}…");
        Run("dpkg-deb", ["-x", deb, unpacked], work);

        var copyright = new Dep5Copyright(File.ReadAllText(Path.Combine(unpacked, "usr/share/doc", source.Package, "copyright")));
        string folder = Path.Combine(unpacked, source.Folder);
        var files = source.Files?.Select(name => Path.Combine(folder, name)).ToArray()
            ?? Directory.GetFiles(folder).Where(f => f.EndsWith(".jpg", StringComparison.Ordinal) || f.EndsWith(".png", StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal).ToArray();
        var missing = files.FirstOrDefault(f => !File.Exists(f));
        if (files.Length == 0 || missing is not null)
            throw new InvalidOperationException($"Package {source.Package} {version} has no photo '{Path.GetFileName(missing) ?? "*.jpg"}' in " +
                $"{source.Folder}.");

        var records = new List<PhotoRecord>();
        for (int i = 0; i < files.Length; i++)
        {
            string name = Path.GetFileName(files[i]);
            string splitName = split ? (IsHeldOut(name) ? "heldout" : "train") : OutOfSourceSplit;
            string relative = split ? Path.Combine(splitName, name) : name;
            string target = Path.Combine(outputDirectory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(files[i], target, overwrite: true);
            var stanza = copyright.Find(source.SourceTreePrefix + name)
                ?? throw new InvalidOperationException($"The copyright file of {source.Package} names no licence for {name}.");
            records.Add(new PhotoRecord(relative.Replace('\\', '/'), splitName, source.Package, version,
                $"/{source.Folder}/{name}", stanza.Copyright, stanza.License, Sha256(target)));
            progress?.Invoke(i + 1, files.Length);
        }
        return records;
    }

    /// <summary>ATTRIBUTION.md beside the photos: every photo's source and licence (ships with the model).</summary>
    static void WriteAttribution(string directory, PhotoManifest manifest, bool split) =>
        File.WriteAllText(Path.Combine(directory, "ATTRIBUTION.md"),
            "# Photos used by Neural Photo Edit\n\nFrom Debian packages; each photo's copyright and licence are those its " +
            "package's copyright file gives. " +
            (split
                ? "The `train` photos trained the bundled model; `heldout` photos evaluate it, and the demo photo and test fixtures are " +
                    "public-domain `heldout` photos.\n\n"
                : "These photos only evaluate the model (`npe eval`, `npe eval edits`); it never trained on them.\n\n")
            + manifest.ToAttributionMarkdown());

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

    string Download(string package, string work)
    {
        try { Run("apt-get", ["download", package], work); }
        catch (InvalidOperationException)
        {
            // The package lists may be missing on a fresh machine; refresh them once and retry.
            log("Refreshing the package lists (apt-get update)…");
            Run("apt-get", ["update", "-qq"], work);
            Run("apt-get", ["download", package], work);
        }
        return Directory.GetFiles(work, $"{package}_*.deb").Single();
    }

    static string Run(string program, string[] arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true,
            RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"'{program}' is not available: fetching photos needs a Debian or Ubuntu system with apt.");
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
