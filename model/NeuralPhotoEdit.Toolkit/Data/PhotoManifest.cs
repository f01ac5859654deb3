using System.Text.Json;

namespace NeuralPhotoEdit.Data;

/// <summary>One photo of the data set: where it came from, under which licence, and its split.</summary>
public sealed record PhotoRecord(string File, string Split, string Package, string PackageVersion, string SourcePath,
                                 string Copyright, string License, string Sha256);

/// <summary>The data set's manifest (manifest.json beside the photos), also the source of the
/// attribution list that ships with the trained weights.</summary>
public sealed record PhotoManifest(IReadOnlyList<PhotoRecord> Photos)
{
    public const string FileName = "manifest.json";
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public void Save(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json));

    public static PhotoManifest? TryLoad(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<PhotoManifest>(File.ReadAllText(path), Json); }
        catch (JsonException) { return null; }
    }

    /// <summary>Markdown attribution: every photo, its source and licence.</summary>
    public string ToAttributionMarkdown(string? split = null)
    {
        var lines = new List<string>
        {
            "| photo | split | source | copyright | licence |",
            "|---|---|---|---|---|",
        };
        foreach (var p in Photos.Where(p => split is null || p.Split == split))
            lines.Add($"| {p.File} | {p.Split} | Debian `{p.Package}` {p.PackageVersion}: `{p.SourcePath}` | {p.Copyright} | {p.License} |");
        return string.Join("\n", lines) + "\n";
    }
}
