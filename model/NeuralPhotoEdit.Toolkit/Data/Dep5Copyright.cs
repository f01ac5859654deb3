using System.Text.RegularExpressions;

namespace NeuralPhotoEdit.Data;

/// <summary>
/// Reads a Debian machine-readable copyright file (DEP-5): paragraphs of "Files:" glob patterns
/// with their "Copyright:" and "License:". For a file, the last paragraph that matches wins.
/// </summary>
public sealed class Dep5Copyright
{
    public sealed record Stanza(string[] Patterns, string Copyright, string License);

    readonly List<(Regex[] Patterns, Stanza Stanza)> _stanzas = new();

    public Dep5Copyright(string text)
    {
        foreach (var paragraph in Regex.Split(text.Replace("\r", ""), @"\n\s*\n"))
        {
            var fields = ParseFields(paragraph);
            if (!fields.TryGetValue("Files", out var files) || !fields.TryGetValue("License", out var license)) continue;
            var patterns = files.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (patterns.Length == 0) continue;
            var stanza = new Stanza(patterns, fields.GetValueOrDefault("Copyright", "").Split('\n')[0].Trim(), license.Split('\n')[0].Trim());
            _stanzas.Add((patterns.Select(GlobToRegex).ToArray(), stanza));
        }
    }

    /// <summary>The stanza governing <paramref name="relativePath"/> (a path in the source tree), if any.</summary>
    public Stanza? Find(string relativePath)
    {
        Stanza? found = null;
        foreach (var (patterns, stanza) in _stanzas)
            if (patterns.Any(p => p.IsMatch(relativePath))) found = stanza;
        return found;
    }

    static Dictionary<string, string> ParseFields(string paragraph)
    {
        var fields = new Dictionary<string, string>();
        string? current = null;
        foreach (var line in paragraph.Split('\n'))
        {
            if (line.Length == 0) continue;
            if (char.IsWhiteSpace(line[0]) && current is not null) { fields[current] += "\n" + line.Trim(); continue; }
            int colon = line.IndexOf(':');
            if (colon <= 0) continue;
            current = line[..colon];
            fields[current] = line[(colon + 1)..].Trim();
        }
        return fields;
    }

    // DEP-5 globs: '*' matches any run of characters (slashes included), '?' one character.
    static Regex GlobToRegex(string glob) =>
        new("^" + Regex.Escape(glob).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.CultureInvariant);
}
